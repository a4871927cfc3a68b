using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Muster.Storage;

/// <summary><c>Muster:Storage</c>: which database holds the runs.</summary>
public sealed class StorageOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (default, one node) or <c>postgres</c> (several nodes).</summary>
    [Required]
    public string Provider { get; set; } = Sqlite;

    /// <summary>True for <c>postgres</c> (or <c>postgresql</c>), in any case: the provider several nodes can share.</summary>
    public static bool IsPostgres(string? provider) =>
        provider?.Trim().ToLowerInvariant() is Postgres or "postgresql";

    /// <summary>A Microsoft.Data.Sqlite or Npgsql connection string.</summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=muster.db";

    /// <summary>
    /// The SQLite database file as a full path (a relative one is taken from the working folder, as SQLite takes it);
    /// null for PostgreSQL, or when the connection string names no file.
    /// </summary>
    public string? SqliteFile()
    {
        if (IsPostgres(Provider))
        {
            return null;
        }

        var dataSource = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        return dataSource is "" or ":memory:" ? null : Path.GetFullPath(dataSource);
    }

    /// <summary>
    /// The store in words for messages: the SQLite file, or the PostgreSQL database and host; never the connection string
    /// itself, which may carry a password.
    /// </summary>
    public string Describe()
    {
        if (!IsPostgres(Provider))
        {
            return $"the SQLite store {SqliteFile()}";
        }

        try
        {
            var postgres = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"the PostgreSQL database {postgres.Database ?? postgres.Username} on {postgres.Host}";
        }
        catch (ArgumentException)
        {
            return "the PostgreSQL store";
        }
    }

    /// <summary>
    /// How long a request (a kickoff, a stop, a resume) waits for the store to take its write; past that it answers 503
    /// with <c>Retry-After</c>, and the write is not made. Another process holding a SQLite file's lock is the usual cause.
    /// </summary>
    public TimeSpan RequestWriteTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
