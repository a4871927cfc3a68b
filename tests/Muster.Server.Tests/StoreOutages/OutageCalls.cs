using System.Net;
using Microsoft.Data.Sqlite;

namespace Muster.Server.Tests.StoreOutages;

/// <summary>What the outage tests ask a server and its SQLite file.</summary>
internal static class OutageCalls
{
    /// <summary><c>/readyz</c>'s status and text.</summary>
    public static async Task<(HttpStatusCode Status, string Text)> ReadinessAsync(this HttpClient client)
    {
        using var response = await client.GetAsync("/readyz");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A number from the SQLite file, read on a connection of its own.</summary>
    public static long Count(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>What another process does with <c>BEGIN IMMEDIATE</c>: holds the file's write lock until disposed.</summary>
    public static SqliteConnection HoldWriteLock(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        return connection;
    }
}
