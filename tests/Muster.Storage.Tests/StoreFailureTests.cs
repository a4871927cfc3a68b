using Microsoft.Data.Sqlite;
using Muster.Storage.Postgres;
using Muster.Storage.Sqlite;
using Npgsql;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>
/// Store failures (busy, gone, full, corrupt) leave the store as <see cref="StoreUnavailableException"/> of the right kind,
/// reach <see cref="StoreHealth"/>, and a write whose caller gave up before it began is never made. Real SQLite files and
/// real refused connections; PostgreSQL's own error states by their codes.
/// </summary>
public sealed class StoreFailureTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("muster-failure-");

    private string DatabasePath => Path.Combine(_folder.FullName, "muster.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task AWriteWhileAnotherProcessHoldsTheLock_FailsAsBusy_AndHealthSaysSoUntilAWriteSucceeds()
    {
        using var store = await OpenAsync("Default Timeout=1");
        await using (var holder = await HoldWriteLockAsync())
        {
            var failure = await Should.ThrowAsync<StoreUnavailableException>(() => store.CreateRunAsync(Run(), Ct));

            failure.Kind.ShouldBe(StoreFailureKind.Busy);
            store.Health.Problem.ShouldNotBeNull().Kind.ShouldBe(StoreFailureKind.Busy);
            (await store.PingAsync(Ct)).ShouldBeTrue("reads go on beside another process's write lock");
            store.Health.Problem.ShouldNotBeNull("a read that succeeds says nothing about writes");
        }

        await store.CreateRunAsync(Run(), Ct);
        store.Health.Problem.ShouldBeNull();
    }

    [Fact]
    public async Task AWriteWhoseCallerGivesUpWhileTheLockIsHeld_IsAnsweredAtOnce_AndNeverMade()
    {
        using var store = await OpenAsync();
        var abandoned = Run();
        await using (var holder = await HoldWriteLockAsync())
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

            // Answered while the lock is still held: the caller does not wait for the writer's busy loop.
            await Should.ThrowAsync<OperationCanceledException>(() => store.CreateRunAsync(abandoned, giveUp.Token));
        }

        await store.CreateRunAsync(Run(), Ct);
        (await store.GetRunAsync(abandoned.Id, Ct)).ShouldBeNull("a write called off before it began must never be made");
    }

    [Fact]
    public void AFullDatabase_IsClassifiedAsFull()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        Execute(connection, "CREATE TABLE filler (data BLOB)");
        Execute(connection, "PRAGMA max_page_count = 8");

        var full = Should.Throw<SqliteException>(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                Execute(connection, "INSERT INTO filler VALUES (zeroblob(4096))");
            }
        });

        StoreFailures.Classify(full).ShouldBe(StoreFailureKind.Full);
        StoreFailures.Translate(full).ShouldBeOfType<StoreUnavailableException>().Kind.ShouldBe(StoreFailureKind.Full);
    }

    [Fact]
    public async Task ACorruptRunsTable_FailsReadsAsCorrupt_AndStaysReportedAfterOtherWritesSucceed()
    {
        using (var store = await OpenAsync())
        {
            await store.CreateRunAsync(Run(), Ct);
        }

        SqliteConnection.ClearAllPools();
        CorruptTable("runs");
        using var damaged = new SqliteRunStore($"Data Source={DatabasePath}", TimeProvider.System);

        var failure = await Should.ThrowAsync<StoreUnavailableException>(() => damaged.PingAsync(Ct));

        failure.Kind.ShouldBe(StoreFailureKind.Corrupt);
        await damaged.CreateTokenAsync(new TokenRecord { Id = "tok_after", Hash = "h", Kind = TokenKind.Organization, Name = "n", CreatedAt = T0 }, Ct);
        damaged.Health.Problem.ShouldNotBeNull().Kind.ShouldBe(StoreFailureKind.Corrupt);
    }

    [Fact]
    public async Task APostgresServerThatRefusesConnections_IsUnavailable()
    {
        // Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
        using var store = new PostgresRunStore("Host=127.0.0.1;Port=9;Username=muster;Timeout=5", TimeProvider.System);

        var failure = await Should.ThrowAsync<StoreUnavailableException>(() => store.GetRunAsync(Guid.NewGuid(), Ct));

        failure.Kind.ShouldBe(StoreFailureKind.Unavailable);
        failure.InnerException.ShouldBeAssignableTo<NpgsqlException>();
        store.Health.Problem.ShouldNotBeNull().Kind.ShouldBe(StoreFailureKind.Unavailable);
    }

    [Theory]
    [InlineData("57P01", StoreFailureKind.Unavailable)] // admin_shutdown: pg_ctl stop/restart -m fast
    [InlineData("57P03", StoreFailureKind.Unavailable)] // cannot_connect_now: starting up
    [InlineData("08006", StoreFailureKind.Unavailable)] // connection_failure
    [InlineData("53100", StoreFailureKind.Full)] // disk_full
    [InlineData("40P01", StoreFailureKind.Busy)] // deadlock_detected
    [InlineData("53300", StoreFailureKind.Busy)] // too_many_connections
    [InlineData("XX001", StoreFailureKind.Corrupt)] // data_corrupted
    [InlineData("55000", StoreFailureKind.Unavailable)] // FATAL on connect: the database does not allow connections
    public void PostgresErrorStates_AreClassified(string sqlState, StoreFailureKind kind) =>
        StoreFailures.Classify(new PostgresException("failed", "FATAL", "FATAL", sqlState)).ShouldBe(kind);

    [Theory]
    [InlineData("23505")] // unique_violation: a bug or a race the caller handles, not an outage
    [InlineData("42P01")] // undefined_table
    public void PostgresErrorsOfTheRequest_AreNoStoreFailure(string sqlState) =>
        StoreFailures.Classify(new PostgresException("failed", "ERROR", "ERROR", sqlState)).ShouldBeNull();

    private async Task<SqliteRunStore> OpenAsync(string extra = "")
    {
        var store = new SqliteRunStore($"Data Source={DatabasePath};{extra}", TimeProvider.System);
        await store.InitializeAsync(Ct);
        return store;
    }

    /// <summary>What another process does with <c>BEGIN IMMEDIATE</c>: holds the file's write lock until disposed.</summary>
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        Execute(connection, "BEGIN IMMEDIATE");
        return connection;
    }

    /// <summary>Overwrites the root page of <paramref name="table"/> with garbage, as a bad disk or a stray write would.</summary>
    private void CorruptTable(string table)
    {
        long page;
        long pageSize;
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
            page = Scalar(connection, $"SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = '{table}'");
            pageSize = Scalar(connection, "PRAGMA page_size");
        }

        using var file = new FileStream(DatabasePath, FileMode.Open, FileAccess.Write);
        file.Position = (page - 1) * pageSize;
        file.Write(Enumerable.Repeat((byte)0xA5, (int)pageSize).ToArray());
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
