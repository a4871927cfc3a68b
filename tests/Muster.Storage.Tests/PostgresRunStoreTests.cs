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
        var store = new PostgresRunStore(new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString, TimeProvider.System);
        return new StoreUnderTest(store, store, store, async () =>
        {
            await store.DisposeAsync();
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
