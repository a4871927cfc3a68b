using System.Data.Common;
using Dapper;
using Muster.Storage.Sql;
using Npgsql;

namespace Muster.Storage.Postgres;

/// <summary>
/// The run store on PostgreSQL, shared by several nodes: run claims skip rows other nodes hold
/// (<c>FOR UPDATE SKIP LOCKED</c>), read-modify-write paths lock the run's row, and migrations, idempotency
/// checks and webhook delivery claims are serialized with transaction-scoped advisory locks.
/// </summary>
public sealed class PostgresRunStore : SqlRunStore, IAsyncDisposable, IDisposable
{
    // Arbitrary constants naming "the Muster schema" and "the webhook outbox's claims" among advisory locks.
    private const long MigrationLockKey = 0x4D75737465720001;
    private const long DeliveryClaimLockKey = 0x4D75737465720002;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Statements kept prepared per connection unless the connection string says otherwise.</summary>
    internal const int DefaultMaxAutoPrepare = 64;

    public PostgresRunStore(string connectionString, TimeProvider timeProvider)
        : base(timeProvider) => _dataSource = NpgsqlDataSource.Create(WithAutoPrepare(connectionString));

    /// <summary>
    /// Turns on Npgsql's automatic preparation (off by default): the store sends the same few dozen statements all
    /// the time, and a prepared one skips parsing and planning. A <c>Max Auto Prepare</c> in the connection string wins,
    /// so <c>Max Auto Prepare=0</c> turns it off (e.g. behind a pooler that cannot keep prepared statements).
    /// </summary>
    internal static string WithAutoPrepare(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare, AutoPrepareMinUsages = 2 }.ConnectionString;
    }

    public override Task InitializeAsync(CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@Key)", new { Key = MigrationLockKey }, transaction, cancellationToken: cancellationToken));
            return await Schema.MigrateAsync(connection, transaction, Schema.Migrations("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"), Time.GetUtcNow(), cancellationToken);
        }, cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    private protected override string LockRow => " FOR UPDATE";

    private protected override string SkipLocked => " FOR UPDATE SKIP LOCKED";

    private protected override string AnyOf(string parameter) => $"= ANY({parameter})";

    private protected override Task LockIdempotencyKeyAsync(DbConnection connection, DbTransaction transaction, string scope, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended(@Scope, 0))", new { Scope = scope }, transaction, cancellationToken: cancellationToken));

    // Claims count each host's leased queues and then lease more: one claim at a time keeps the per-host cap exact across
    // nodes. A claim is a few milliseconds; the dispatchers of all nodes together make a few a second.
    private protected override Task LockDeliveryClaimsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@Key)", new { Key = DeliveryClaimLockKey }, transaction, cancellationToken: cancellationToken));

    // A server that restarted ended the sessions idling in the pool, and the first read after it returns may be lent one of
    // them. A read changes nothing, so it is tried once more on a fresh session: a client then hears 503 only while the
    // server is really away (and that second try fails as fast as the first: the connection is refused).
    private protected override async Task<T> ReadCoreAsync<T>(Func<DbConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadOnceAsync(read, cancellationToken);
        }
        catch (Exception ex) when (StoreFailures.Classify(ex) == StoreFailureKind.Unavailable && !cancellationToken.IsCancellationRequested)
        {
            return await ReadOnceAsync(read, cancellationToken);
        }
    }

    private async Task<T> ReadOnceAsync<T>(Func<DbConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            return await read(connection);
        }
        catch (Exception ex) when (StoreFailures.Classify(ex) == StoreFailureKind.Unavailable)
        {
            ForgetIdleSessions();
            throw;
        }
    }

    private protected override async Task<T> InTransactionCoreAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (Exception ex) when (StoreFailures.Classify(ex) == StoreFailureKind.Unavailable)
        {
            ForgetIdleSessions();
            throw;
        }
    }

    // A server that restarted or went away ended every session: the idle ones in the pool would each fail once more when
    // lent after it returns, so they go now.
    private void ForgetIdleSessions() => _dataSource.Clear();
}
