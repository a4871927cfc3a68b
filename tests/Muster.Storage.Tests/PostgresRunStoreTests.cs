using Muster.Storage.Postgres;
using Npgsql;

namespace Muster.Storage.Tests;

/// <summary>
/// The behaviour suite on PostgreSQL, each test in a schema of its own. Needs <c>MUSTER_TEST_PG</c>
/// (an Npgsql connection string; <c>eval "$(scripts/postgres.sh)"</c> starts a throwaway server and sets it).
/// </summary>
[RequiresEnvironment(Variable, "start a throwaway server with eval \"$(scripts/postgres.sh)\" to run the PostgreSQL suite")]
public sealed class PostgresRunStoreTests : RunStoreBehaviour
{
    public const string Variable = "MUSTER_TEST_PG";

    protected override async Task<StoreUnderTest> CreateStoreAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable)!;
        var schema = "store_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE SCHEMA {schema}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
        var stores = new List<PostgresRunStore> { new(connectionString, TimeProvider.System) };
        StoreNode AnotherNode()
        {
            var store = new PostgresRunStore(connectionString, TimeProvider.System);
            stores.Add(store);
            return new StoreNode(store, store);
        }

        return new StoreUnderTest(stores[0], stores[0], stores[0], AnotherNode, async () =>
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            await ExecuteAsync(server, $"DROP SCHEMA {schema} CASCADE");
        });
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
