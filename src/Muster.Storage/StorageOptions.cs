using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Muster.Storage;

/// <summary><c>Muster:Storage</c>: which database holds the runs.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section the server binds these options from.</summary>
    public const string SectionName = "Muster:Storage";

    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>The connection string when none is configured: a SQLite file in the working folder.</summary>
    public const string DefaultConnectionString = "Data Source=muster.db";

    /// <summary><c>sqlite</c> (default, one node) or <c>postgres</c> (several nodes).</summary>
    [Required]
    public string Provider { get; set; } = Sqlite;

    /// <summary>A Microsoft.Data.Sqlite or Npgsql connection string.</summary>
    [Required]
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>
    /// The provider a name in <c>Muster:Storage:Provider</c> means, in any case: <c>sqlite</c>, or <c>postgres</c> (also
    /// <c>postgresql</c>); null for any other name. The one place a provider's name is read.
    /// </summary>
    internal static string? ProviderNamed(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        Sqlite => Sqlite,
        Postgres or "postgresql" => Postgres,
        _ => null,
    };

    private bool IsPostgres => ProviderNamed(Provider) == Postgres;

    /// <summary>
    /// The SQLite database file as a full path (a relative one is taken from the working folder, as SQLite takes it);
    /// null for PostgreSQL, or when the connection string names no file.
    /// </summary>
    public string? SqliteFile()
    {
        if (IsPostgres)
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
        if (!IsPostgres)
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
