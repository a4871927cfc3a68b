using System.ComponentModel.DataAnnotations;

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
    /// How long a request (a kickoff, a stop, a resume) waits for the store to take its write; past that it answers 503
    /// with <c>Retry-After</c>, and the write is not made. Another process holding a SQLite file's lock is the usual cause.
    /// </summary>
    public TimeSpan RequestWriteTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
