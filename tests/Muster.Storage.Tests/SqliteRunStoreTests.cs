using Muster.Storage.Sqlite;

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
}
