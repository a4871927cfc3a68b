using Muster.Testing;
using Npgsql;

namespace Muster.Server.Tests.MultiNode;

/// <summary>
/// A PostgreSQL database of its own for one test, on the server <c>MUSTER_TEST_PG</c> names, dropped on dispose. Its own
/// database also scopes LISTEN/NOTIFY, so tests running at once do not hear each other.
/// </summary>
internal sealed class ThrowawayDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private ThrowawayDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    /// <summary>Creates the database on <paramref name="server"/>, by default the one <c>MUSTER_TEST_PG</c> names.</summary>
    public static async Task<ThrowawayDatabase> CreateAsync(string? server = null)
    {
        var database = new ThrowawayDatabase(server ?? PostgresAdmin.Server, "muster_mn_" + Guid.NewGuid().ToString("N"));
        await PostgresAdmin.ExecuteAsync(database._server, $"CREATE DATABASE {database._name}");
        return database;
    }

    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync() is T result ? result : default;
    }

    /// <summary>Takes the database away from its clients (existing sessions end, new ones are refused), or gives it back.</summary>
    public async Task SetReachableAsync(bool reachable)
    {
        await PostgresAdmin.ExecuteAsync(_server, $"ALTER DATABASE {_name} ALLOW_CONNECTIONS {(reachable ? "true" : "false")}");
        if (!reachable)
        {
            await PostgresAdmin.ExecuteAsync(_server, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_name}'");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await PostgresAdmin.ExecuteAsync(_server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }
}
