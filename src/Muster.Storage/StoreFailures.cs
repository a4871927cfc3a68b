using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Muster.Storage;

/// <summary>Why the store could not do what was asked; each kind passes without anything done to the data.</summary>
public enum StoreFailureKind
{
    /// <summary>Another writer holds the database's lock, or the store is overloaded (SQLITE_BUSY, a deadlock, a pool exhausted).</summary>
    Busy,

    /// <summary>The database cannot be reached or refused the session (PostgreSQL down or restarting, a dropped connection, an I/O error).</summary>
    Unavailable,

    /// <summary>The disk holding the database is full (SQLITE_FULL, PostgreSQL 53100).</summary>
    Full,

    /// <summary>The database file or a table is damaged (SQLITE_CORRUPT, SQLITE_NOTADB, PostgreSQL XX001/XX002).</summary>
    Corrupt,
}

/// <summary>
/// The store could not be used for a reason outside the request and the run: it is busy, gone, full or corrupt. Nothing
/// was stored (a write's outcome is unknown only when the connection dropped while it committed). A caller retries later
/// or leaves the work for later; it never blames the run or the client for it.
/// </summary>
public sealed class StoreUnavailableException(StoreFailureKind kind, string message, Exception? innerException)
    : Exception(message, innerException)
{
    public StoreFailureKind Kind { get; } = kind;
}

/// <summary>The one place that tells a store failure (busy, gone, full, corrupt) from a bug or a refused write, for both providers.</summary>
public static class StoreFailures
{
    // SQLite primary result codes (https://sqlite.org/rescode.html); extended codes carry the primary one in the low byte.
    private const int SqliteIoErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteNotADb = 26;

    /// <summary>The kind of store failure <paramref name="exception"/> is, or null when it is none (a bug, a constraint, a cancellation).</summary>
    public static StoreFailureKind? Classify(Exception exception) => exception switch
    {
        StoreUnavailableException known => known.Kind,
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) switch
        {
            SqliteBusy or SqliteLocked => StoreFailureKind.Busy,
            SqliteFull => StoreFailureKind.Full,
            SqliteCorrupt or SqliteNotADb => StoreFailureKind.Corrupt,
            SqliteIoErr or SqliteCantOpen or SqliteReadOnly => StoreFailureKind.Unavailable,
            _ => null,
        },
        PostgresException postgres => ClassifyPostgres(postgres.SqlState)
            // FATAL ends the session (a database that refuses connections, a role or database that is gone): no statement runs.
            ?? (postgres.InvariantSeverity is "FATAL" or "PANIC" ? StoreFailureKind.Unavailable : null),
        // Below the server's answers: the connection could not be opened or broke (refused, reset, timed out, pool exhausted).
        NpgsqlException { InnerException: TimeoutException } => StoreFailureKind.Busy,
        NpgsqlException => StoreFailureKind.Unavailable,
        TimeoutException => StoreFailureKind.Busy,
        SocketException or IOException => StoreFailureKind.Unavailable,
        _ => null,
    };

    /// <summary><paramref name="exception"/> as a <see cref="StoreUnavailableException"/> when it is a store failure; itself otherwise.</summary>
    public static Exception Translate(Exception exception) =>
        exception is not StoreUnavailableException && Classify(exception) is { } kind
            ? new StoreUnavailableException(kind, Describe(kind), exception)
            : exception;

    /// <summary>What a client or an operator is told about a failure of this kind (never the database's own text).</summary>
    public static string Describe(StoreFailureKind kind) => kind switch
    {
        StoreFailureKind.Busy => "The run store is busy (another process holds its lock, or it is overloaded).",
        StoreFailureKind.Unavailable => "The run store cannot be reached.",
        StoreFailureKind.Full => "The disk holding the run store is full; nothing can be stored until space is freed.",
        _ => "The run store's database is corrupt; it must be repaired or restored from a backup.",
    };

    private static StoreFailureKind? ClassifyPostgres(string state) => state switch
    {
        "53100" => StoreFailureKind.Full,
        "XX001" or "XX002" => StoreFailureKind.Corrupt,
        // serialization_failure, deadlock_detected, lock_not_available, too_many_connections, out_of_memory
        "40001" or "40P01" or "55P03" or "53300" or "53200" => StoreFailureKind.Busy,
        // admin_shutdown, crash_shutdown, cannot_connect_now, database_dropped, io_error
        "57P01" or "57P02" or "57P03" or "57P04" or "58030" => StoreFailureKind.Unavailable,
        // connection_exception and its subclasses (08000, 08003, 08006, ...)
        _ when state.StartsWith("08", StringComparison.Ordinal) => StoreFailureKind.Unavailable,
        _ => null,
    };
}
