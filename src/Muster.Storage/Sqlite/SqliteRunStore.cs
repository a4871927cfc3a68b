using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Muster.Storage.Sql;

namespace Muster.Storage.Sqlite;

/// <summary>
/// The run store on one SQLite file (one node). WAL lets reads run beside the writer; writes are serialized in
/// process by a gate rather than by SQLite's busy retry loop, which degrades badly under hundreds of concurrent
/// writers. <c>busy_timeout</c> still covers other processes on the same file (the CLI managing tokens).
/// </summary>
public sealed class SqliteRunStore : SqlRunStore, IDisposable
{
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public SqliteRunStore(string connectionString, TimeProvider timeProvider)
        : base(timeProvider)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            throw new ArgumentException("The SQLite run store needs a database file (Data Source=path), not an in-memory database.", nameof(connectionString));
        }

        _connectionString = builder.ToString();
    }

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(_connectionString).DataSource));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using (var connection = await OpenAsync(cancellationToken))
        {
            // WAL is a property of the file and cannot be switched inside a transaction.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken));
        }

        await InTransactionAsync(
            (connection, transaction) => Schema.MigrateAsync(connection, transaction, Schema.Migrations("INTEGER PRIMARY KEY AUTOINCREMENT"), Time.GetUtcNow(), cancellationToken),
            cancellationToken);
    }

    public void Dispose()
    {
        _writeGate.Dispose();
        // Close this file's pooled connections so the file can be removed; other stores' pools are left alone.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private protected override string LockRow => "";

    private protected override string SkipLocked => "";

    private protected override string AnyOf(string parameter) => "IN " + parameter;

    // Writers are serialized by the gate, so the check-then-insert of an idempotency key cannot interleave.
    private protected override Task LockIdempotencyKeyAsync(DbConnection connection, DbTransaction transaction, string scope, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    private protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = ConnectionPragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private protected override async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): take the write lock up front, so a read inside the
            // transaction can never be invalidated by another process's commit.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
