using Npgsql;

namespace Muster.Testing;

// Also compiled into Muster.Storage.Tests (a linked file), which tests the store without building the server.

/// <summary>
/// A schema of its own for one test on the PostgreSQL server <c>MUSTER_TEST_PG</c> names (the connection string's search
/// path points at it), dropped with everything in it on dispose.
/// </summary>
public sealed class ThrowawaySchema : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private ThrowawaySchema(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = name }.ConnectionString;
    }

    /// <summary>The variable that names the PostgreSQL server the tests may use (as <c>PostgresFactAttribute.Variable</c>).</summary>
    public const string Variable = "MUSTER_TEST_PG";

    public string ConnectionString { get; }

    /// <param name="prefix">Names the schema after its user (e.g. <c>cli</c>), for whoever looks at a left-over one.</param>
    public static async Task<ThrowawaySchema> CreateAsync(string prefix)
    {
        var schema = new ThrowawaySchema(PostgresAdmin.Server, $"{prefix}_{Guid.NewGuid():N}");
        await PostgresAdmin.ExecuteAsync(schema._server, $"CREATE SCHEMA {schema._name}");
        return schema;
    }

    public async ValueTask DisposeAsync() => await PostgresAdmin.ExecuteAsync(_server, $"DROP SCHEMA IF EXISTS {_name} CASCADE");
}

/// <summary>One statement on a PostgreSQL server, outside any pool: creating and dropping the tests' databases and schemas.</summary>
public static class PostgresAdmin
{
    /// <summary>The server <c>MUSTER_TEST_PG</c> names (a test that reads it runs only when it is set).</summary>
    public static string Server => Environment.GetEnvironmentVariable(ThrowawaySchema.Variable)
        ?? throw new InvalidOperationException($"{ThrowawaySchema.Variable} is not set.");

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
