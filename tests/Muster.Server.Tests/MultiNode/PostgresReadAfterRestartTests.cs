using Muster.Storage;
using Muster.Storage.Postgres;
using Shouldly;

namespace Muster.Server.Tests.MultiNode;

/// <summary>
/// A read right after PostgreSQL restarted: the store's pool still holds the sessions the restart ended, and the first one
/// lent fails. The read must still be answered, since the server is back (a client polling a run's status got 503 here).
/// </summary>
public sealed class PostgresReadAfterRestartTests
{
    [PrivatePostgresFact]
    public async Task ReadsRightAfterARestart_AreAnswered_ThoughThePoolHeldSessionsTheRestartEnded()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var store = new PostgresRunStore(postgres.Server, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        // Several sessions idle in the pool, as on a node serving requests side by side.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.GetRunAsync(Guid.NewGuid(), CancellationToken.None)));

        await postgres.RestartAsync();

        var reads = new List<RunRecord?>();
        for (var i = 0; i < 4; i++)
        {
            reads.Add(await store.GetRunAsync(Guid.NewGuid(), CancellationToken.None));
        }

        reads.ShouldAllBe(run => run == null);
    }

    [PrivatePostgresFact]
    public async Task AReadWhileTheServerIsDown_StillFails_AsTheStoreBeingUnavailable()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var store = new PostgresRunStore(postgres.Server, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        await store.GetRunAsync(Guid.NewGuid(), CancellationToken.None);

        await postgres.StopAsync();
        var failure = await Should.ThrowAsync<StoreUnavailableException>(() => store.GetRunAsync(Guid.NewGuid(), CancellationToken.None));
        await postgres.StartAgainAsync();
        var afterwards = await store.GetRunAsync(Guid.NewGuid(), CancellationToken.None);

        failure.Kind.ShouldBe(StoreFailureKind.Unavailable);
        afterwards.ShouldBeNull();
    }
}
