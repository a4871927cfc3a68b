using System.Collections.Concurrent;
using System.Data.Common;
using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Muster.Storage.Sql;

namespace Muster.Storage.Sqlite;

/// <summary>
/// The run store on one SQLite file (one node). WAL lets reads run beside the writer; writes are serialized in
/// process by one writer rather than by SQLite's busy retry loop, which degrades badly under hundreds of concurrent
/// writers. The writer commits whatever is queued together (group commit, each write in its own savepoint), so a
/// busy node pays for one transaction per batch instead of one per event. <c>busy_timeout</c> still covers other
/// processes on the same file (the CLI managing tokens).
/// </summary>
public sealed partial class SqliteRunStore : SqlRunStore, IDisposable
{
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
    private const int MaxBatch = 128;
    // Idle read connections kept open (each with its prepared statements); more are opened under load and closed after.
    private static readonly int MaxIdleReaders = Math.Max(8, Environment.ProcessorCount * 4);

    private readonly string _connectionString;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly ConcurrentQueue<PreparedSqliteConnection> _idleReaders = new();
    private PreparedSqliteConnection? _writerConnection;
    private volatile bool _disposed;

    public SqliteRunStore(string connectionString, TimeProvider timeProvider)
        : base(timeProvider)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            throw new ArgumentException("The SQLite run store needs a database file (Data Source=path), not an in-memory database.", nameof(connectionString));
        }

        _connectionString = builder.ToString();
        _writer = Task.Run(WriteLoopAsync);
    }

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(_connectionString).DataSource));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // WAL is a property of the file and cannot be switched inside a transaction.
        await ReadAsync(
            connection => connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken)),
            cancellationToken);

        await InTransactionAsync(
            (connection, transaction) => Schema.MigrateAsync(connection, transaction, Schema.Migrations("INTEGER PRIMARY KEY AUTOINCREMENT"), Time.GetUtcNow(), cancellationToken),
            cancellationToken);
    }

    public void Dispose()
    {
        // Writes already queued still commit; later ones are refused.
        _writes.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        _disposed = true;
        _writerConnection?.Dispose();
        while (_idleReaders.TryDequeue(out var reader))
        {
            reader.Dispose();
        }

        // Close this file's pooled connections so the file can be removed; other stores' pools are left alone.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    // The table's b-tree from its root (a seek to the last rowid), which holds even when the table is empty, then its newest row.
    private protected override string ReadinessProbe => "SELECT max(rowid) FROM runs; " + base.ReadinessProbe;

    private protected override string LockRow => "";

    private protected override string SkipLocked => "";

    private protected override string AnyOf(string parameter) => "IN " + parameter;

    // Writers are serialized by the gate, so the check-then-insert of an idempotency key cannot interleave.
    private protected override Task LockIdempotencyKeyAsync(DbConnection connection, DbTransaction transaction, string scope, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    // Likewise a delivery claim's count-then-lease of a host's queues.
    private protected override Task LockDeliveryClaimsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    // Reads need none of the pragmas (foreign keys and synchronous concern writes, and Microsoft.Data.Sqlite retries a
    // busy read itself). Read connections stay open and keep their statements prepared; a read borrows an idle one.
    private protected override async Task<T> ReadCoreAsync<T>(Func<DbConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        if (!_idleReaders.TryDequeue(out var connection))
        {
            connection = await OpenPreparedAsync(cancellationToken);
        }

        var healthy = false;
        try
        {
            var result = await read(connection);
            healthy = true;
            return result;
        }
        finally
        {
            if (healthy && !_disposed && _idleReaders.Count < MaxIdleReaders)
            {
                _idleReaders.Enqueue(connection);
            }
            else
            {
                // A read that failed may have left the connection in any state: it is not lent again.
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<PreparedSqliteConnection> OpenPreparedAsync(CancellationToken cancellationToken)
    {
        var connection = new PreparedSqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The writer's connection: opened once, with the write pragmas, and kept until a batch fails.</summary>
    private async Task<PreparedSqliteConnection> WriterConnectionAsync()
    {
        if (_writerConnection is not null)
        {
            return _writerConnection;
        }

        var connection = await OpenPreparedAsync(CancellationToken.None);
        try
        {
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = ConnectionPragmas;
            await pragmas.ExecuteNonQueryAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return _writerConnection = connection;
    }

    private protected override Task<T> InTransactionCoreAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var write = new PendingWrite<T>(work, cancellationToken);
        return _writes.Writer.TryWrite(write) ? write.Task : throw new ObjectDisposedException(nameof(SqliteRunStore));
    }
}
