using Muster.Storage.Postgres;
using Muster.Testing;

namespace Muster.Storage.Tests;

/// <summary>
/// The behaviour suite on PostgreSQL, each test in a schema of its own. Needs <c>MUSTER_TEST_PG</c>
/// (an Npgsql connection string; <c>eval "$(scripts/postgres.sh)"</c> starts a throwaway server and sets it).
/// </summary>
[RequiresEnvironment(Variable, "start a throwaway server with eval \"$(scripts/postgres.sh)\" to run the PostgreSQL suite")]
public sealed class PostgresRunStoreTests : RunStoreBehaviour
{
    public const string Variable = ThrowawaySchema.Variable;

    protected override async Task<StoreUnderTest> CreateStoreAsync(TimeProvider time)
    {
        var schema = await ThrowawaySchema.CreateAsync("store");
        var stores = new List<PostgresRunStore> { new(schema.ConnectionString, time) };
        StoreNode AnotherNode()
        {
            var store = new PostgresRunStore(schema.ConnectionString, time);
            stores.Add(store);
            return new StoreNode(store, store);
        }

        async Task<long> Scalar(string sql)
        {
            await using var connection = new Npgsql.NpgsqlConnection(schema.ConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }

        return new StoreUnderTest(stores[0], stores[0], stores[0], AnotherNode, Scalar, async () =>
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            await schema.DisposeAsync();
        });
    }

    [StoreFact]
    public async Task MigrationToVersion3_KeepsTokenManagementForOrganizationTokensOfEveryCrewOnly()
    {
        await using var schema = await ThrowawaySchema.CreateAsync("migration");
        await using var store = new PostgresRunStore(schema.ConnectionString, TimeProvider.System);
        await using var connection = new Npgsql.NpgsqlConnection(schema.ConnectionString);

        await TokenRightsMigration.CheckAsync(connection, "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", store);
    }
}
