using Dapper;
using Microsoft.Data.Sqlite;
using Muster.Storage.Sql;
using Muster.Storage.Sqlite;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>A database written by an older version, opened by this one.</summary>
public sealed class SqliteUpgradeTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("muster-upgrade-");

    private string ConnectionString => $"Data Source={Path.Combine(_folder.FullName, "muster.db")}";

    // The outbox grouped by host only from schema version 4: deliveries pending at the upgrade must still go out, in order.
    [Fact]
    public async Task DeliveriesPendingFromBeforeTheHostColumn_AreClaimedInOrderAfterTheUpgrade()
    {
        const string url = "http://Old.Example:8080/hook";
        var runId = Guid.NewGuid();
        await WriteVersion2DatabaseAsync(runId, url, payloads: ["{\"n\":1}", "{\"n\":2}"]);

        using var store = new SqliteRunStore(ConnectionString, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);

        var first = (await ClaimAsync(store)).ShouldHaveSingleItem().ShouldHaveSingleItem();
        first.Payload.ShouldBe("{\"n\":1}");
        first.Host.ShouldBe(url);
        await store.RecordAttemptAsync(first.Id, new DeliveryAttempt(T0, 200, null), DeliveryState.Delivered, null, CancellationToken.None);
        (await ClaimAsync(store)).ShouldHaveSingleItem().ShouldHaveSingleItem().Payload.ShouldBe("{\"n\":2}");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private static Task<IReadOnlyList<IReadOnlyList<DeliveryRecord>>> ClaimAsync(SqliteRunStore store) =>
        store.ClaimDueDeliveriesAsync(
            new DeliveryClaim { NodeId = "node-a", Now = T0, Lease = TimeSpan.FromSeconds(30), MaxQueues = 10, MaxQueuesPerHost = 8 },
            CancellationToken.None);

    private async Task WriteVersion2DatabaseAsync(Guid runId, string url, string[] payloads)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Schema.MigrateAsync(connection, transaction, [.. Schema.Migrations("INTEGER PRIMARY KEY AUTOINCREMENT").Take(2)], T0, CancellationToken.None);
        var at = StoreTime.ToMs(T0);
        await connection.ExecuteAsync(
            "INSERT INTO runs (id, crew_name, crew, inputs, owner_id, token_id, correlation_id, ad_hoc, state, completed_tasks, total_tasks, " +
            "prompt_tokens, completion_tokens, cached_prompt_tokens, successful_requests, created_at, webhooks, last_sequence, stop_requested) " +
            "VALUES (@Id, 'research', '{}', '{}', 'user', 'token', 'c', 0, 'running', 0, 1, 0, 0, 0, 0, @At, '{}', 0, 0)",
            new { Id = runId.ToString(), At = at }, transaction);
        foreach (var payload in payloads)
        {
            await connection.ExecuteAsync(
                "INSERT INTO deliveries (id, run_id, url, kind, payload, state, created_at, next_attempt_at, attempt_count) " +
                "VALUES (@Id, @RunId, @Url, 'task', @Payload, 'pending', @At, @At, 0)",
                new { Id = Guid.NewGuid().ToString(), RunId = runId.ToString(), Url = url, Payload = payload, At = at }, transaction);
        }

        await transaction.CommitAsync();
    }
}
