using Muster.Core.Engine;
using Muster.Storage.Sqlite;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>The behaviour suite on a SQLite file of its own per test.</summary>
public sealed class SqliteRunStoreTests : RunStoreBehaviour
{
    protected override Task<StoreUnderTest> CreateStoreAsync()
    {
        var folder = Directory.CreateTempSubdirectory("muster-store-");
        var connectionString = $"Data Source={Path.Combine(folder.FullName, "muster.db")}";
        var stores = new List<SqliteRunStore> { new(connectionString, TimeProvider.System) };
        StoreNode AnotherNode()
        {
            var store = new SqliteRunStore(connectionString, TimeProvider.System);
            stores.Add(store);
            return new StoreNode(store, store);
        }

        return Task.FromResult(new StoreUnderTest(stores[0], stores[0], stores[0], AnotherNode, () =>
        {
            stores.ForEach(s => s.Dispose());
            folder.Delete(recursive: true);
            return ValueTask.CompletedTask;
        }));
    }

    // Writes queued together commit together, each in its own savepoint: one failing write must not take the others down,
    // and what it wrote before failing (the event, the run's update) must go.
    [Fact]
    public async Task ConcurrentWrites_OneFailingHalfway_IsRolledBackAloneWhileTheOthersCommit()
    {
        var runs = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            runs.Add(await CreateRunningAsync());
        }

        var twice = Delivery(runs[7]);
        var appends = runs.Select((id, i) => Runs.AppendEventAsync(
            Event(id, 1), new RunUpdate { CurrentTask = "task_1" }, i == 7 ? [twice, twice] : [], Ct)).ToList();
        var creates = Enumerable.Range(0, 20).Select(_ => Runs.CreateRunAsync(Run(), Ct)).ToList();

        await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => appends[7]);
        foreach (var (append, i) in appends.Select((a, i) => (a, i)).Where(x => x.i != 7))
        {
            await append;
            (await Runs.GetEventsAsync(runs[i], 0, 10, Ct)).ShouldHaveSingleItem().Sequence.ShouldBe(1);
        }

        (await Runs.GetEventsAsync(runs[7], 0, 10, Ct)).ShouldBeEmpty();
        (await Runs.GetRunAsync(runs[7], Ct))!.CurrentTask.ShouldBeNull();
        foreach (var created in await Task.WhenAll(creates))
        {
            (await Runs.GetRunAsync(created.RunId, Ct)).ShouldNotBeNull();
        }
    }
}
