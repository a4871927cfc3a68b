using Muster.Storage.Sqlite;

namespace Muster.Storage.Tests;

/// <summary>The behaviour suite on a SQLite file of its own per test.</summary>
public sealed class SqliteRunStoreTests : RunStoreBehaviour
{
    protected override Task<StoreUnderTest> CreateStoreAsync()
    {
        var folder = Directory.CreateTempSubdirectory("muster-store-");
        var store = new SqliteRunStore($"Data Source={Path.Combine(folder.FullName, "muster.db")}", TimeProvider.System);
        return Task.FromResult(new StoreUnderTest(store, store, store, () =>
        {
            store.Dispose();
            folder.Delete(recursive: true);
            return ValueTask.CompletedTask;
        }));
    }
}
