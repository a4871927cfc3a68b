using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Storage;
using Muster.Storage.Sqlite;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// A server that starts on a SQLite store where a crashed process left runs running takes them over with the normal lease,
/// so a crash right after that start costs no extra wait: the next start continues them at once.
/// </summary>
public sealed class RecoveryLeaseTests : ServerProcessTest
{
    // Long enough that a lease taken over never lapses during the test: only the start-up recovery can free it.
    private const int LeaseSeconds = 300;

    private readonly string _token = "mst_recovery_test_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task CrashRestartCrash_TheRecoveredRunHasTheNormalLease_AndTheNextStartContinuesItAtOnce()
    {
        using var research = AnswerHold.About(Simulator, "relay Researcher");
        var id = await KickoffAndKillAsync("first", "relay", research);

        // The second start takes the run over with the normal lease, and dies before its first heartbeat (a third of the
        // lease away).
        await using (var second = await StartAsync("second"))
        {
            var recovered = await LeaseOfAsync(id, owner => owner == "second");
            recovered.LeaseExpiresAt.ShouldNotBeNull().ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow.AddSeconds(LeaseSeconds));
            await second.KillAsync();
        }

        // The third start must not wait out the second's lease: it continues the run at once, and its heartbeat renews it.
        await using var third = await StartAsync("third", heartbeatSeconds: 1);
        var continued = await LeaseOfAsync(id, owner => owner == "third");
        await Eventually.Until(
            async () => (await ReadRunAsync(id)).LeaseExpiresAt > continued.LeaseExpiresAt,
            "the third server's heartbeat never renewed the lease");
        research.Release();
        using var client = third.CreateClient(_token);
        var done = await client.WaitForFinishAsync(id, timeout: Eventually.ProcessLimit);

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
    }

    private async Task<Guid> KickoffAndKillAsync(string nodeId, string topic, AnswerHold hold)
    {
        await using var server = await StartAsync(nodeId);
        using var client = server.CreateClient(_token);
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = topic });
        await hold.WaitForCallAsync();
        await server.KillAsync();
        return id;
    }

    private Task<MusterServerProcess> StartAsync(string nodeId, int? heartbeatSeconds = null)
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token);
        settings["Muster:Execution:NodeId"] = nodeId;
        settings["Muster:Execution:LeaseSeconds"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (heartbeatSeconds is { } heartbeat)
        {
            settings["Muster:Execution:HeartbeatSeconds"] = heartbeat.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return MusterServerProcess.StartAsync(settings, Folder.Path);
    }

    private Task<RunRecord> LeaseOfAsync(Guid id, Func<string?, bool> owner) =>
        Eventually.Until(() => ReadRunAsync(id), run => owner(run.LeaseOwner), "the run never changed hands");

    private async Task<RunRecord> ReadRunAsync(Guid id)
    {
        using var store = new SqliteRunStore($"Data Source={Folder.Combine("muster.db")}", TimeProvider.System);
        return (await store.GetRunAsync(id, CancellationToken.None))!;
    }
}
