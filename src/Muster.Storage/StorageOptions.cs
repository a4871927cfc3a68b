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
}
