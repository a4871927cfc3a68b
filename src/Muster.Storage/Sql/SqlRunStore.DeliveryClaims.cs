using System.Data.Common;
using Dapper;

namespace Muster.Storage.Sql;

/// <summary>
/// Claiming the outbox fairly. Each (run, url) queue's oldest pending delivery is marked <c>head</c> (kept so on insert
/// and when a delivery leaves pending), and heads are indexed by host, so a claim reads a few heads per host instead of
/// walking every pending delivery: with thousands of webhooks waiting for a dead receiver, a claim stays as cheap as
/// with none.
/// </summary>
public abstract partial class SqlRunStore
{
    private const int MaxBatch = 100;
    private const string EventsKind = "events";

    /// <summary>Serializes delivery claims until the transaction ends (nothing where writers are serialized anyway).</summary>
    private protected abstract Task LockDeliveryClaimsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    public Task<IReadOnlyList<IReadOnlyList<DeliveryRecord>>> ClaimDueDeliveriesAsync(DeliveryClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (claim.MaxQueues <= 0)
        {
            return Task.FromResult<IReadOnlyList<IReadOnlyList<DeliveryRecord>>>([]);
        }

        return InTransactionAsync<IReadOnlyList<IReadOnlyList<DeliveryRecord>>>(async (connection, transaction) =>
        {
            // The per-host count below is read, then added to: two claims at once could each see room for the same slot.
            await LockDeliveryClaimsAsync(connection, transaction, cancellationToken);
            var heads = await ClaimableHeadsAsync(connection, transaction, claim, cancellationToken);
            var batches = new List<IReadOnlyList<DeliveryRecord>>(heads.Count);
            foreach (var head in heads)
            {
                var batch = new List<DeliveryRow> { head };
                if (head.Kind == EventsKind)
                {
                    var behind = await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
                        $"""
                        SELECT {DeliveryRow.Columns} FROM deliveries d
                        WHERE d.run_id = @RunId AND d.url = @Url AND d.state = 'pending' AND d.position > @Position
                        ORDER BY d.position LIMIT @Take
                        """,
                        new { head.RunId, head.Url, head.Position, Take = (long)MaxBatch - 1 }, transaction, cancellationToken: cancellationToken));
                    batch.AddRange(behind.TakeWhile(d => d.Kind == EventsKind));
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE deliveries SET lease_owner = @Node, lease_expires_at = @Expires WHERE id {AnyOf("@Ids")}",
                    new { Node = claim.NodeId, Expires = StoreTime.ToMs(claim.Now + claim.Lease), Ids = batch.Select(d => d.Id).ToArray() },
                    transaction, cancellationToken: cancellationToken));
                // Claimed records carry AttemptCount but not the attempt history: the dispatcher needs only the count.
                batches.Add([.. batch.Select(d => d.ToRecord([]))]);
            }

            return batches;
        }, cancellationToken);
    }

    // Hosts are visited in name order, starting after claim.StartAfterHost and wrapping around; each host not paused gives
    // its due, unleased heads (longest due first) up to its room under the cap, where its leased heads are the queues it
    // has being sent. Visiting stops once there are enough. The heads are then taken turn by turn (every visited host's
    // first, then every host's second, ...), so one host with many old webhooks cannot crowd out the others, and the
    // next claim starting after the last host taken moves the round on when there are more hosts than slots.
    private static async Task<List<DeliveryRow>> ClaimableHeadsAsync(
        DbConnection connection, DbTransaction transaction, DeliveryClaim claim, CancellationToken cancellationToken)
    {
        var now = StoreTime.ToMs(claim.Now);
        // Leased deliveries are few (the batches being sent), found through ix_deliveries_leased; "head" stays out of the
        // WHERE clause, or SQLite's planner walks every head through ix_deliveries_heads instead.
        var sending = (await connection.QueryAsync<HostCount>(new CommandDefinition(
                "SELECT host AS Host, SUM(CASE WHEN head THEN 1 ELSE 0 END) AS Queues FROM deliveries WHERE lease_expires_at > @Now GROUP BY host",
                new { Now = now }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(c => c.Host, c => c.Queues, StringComparer.Ordinal);
        var hosts = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            WITH RECURSIVE hosts (host) AS (
                SELECT MIN(host) FROM deliveries WHERE head
                UNION ALL
                SELECT (SELECT MIN(d.host) FROM deliveries d WHERE d.head AND d.host > hosts.host) FROM hosts WHERE hosts.host IS NOT NULL
            )
            SELECT host FROM hosts WHERE host IS NOT NULL
            """,
            transaction: transaction, cancellationToken: cancellationToken))).ToList();

        var after = claim.StartAfterHost;
        var rotation = after is null ? hosts : [.. hosts.Where(h => string.CompareOrdinal(h, after) > 0), .. hosts.Where(h => string.CompareOrdinal(h, after) <= 0)];
        var paused = claim.PausedHosts.ToHashSet(StringComparer.Ordinal);
        var perHost = new List<List<DeliveryRow>>();
        var found = 0;
        foreach (var host in rotation)
        {
            var room = Math.Min(claim.MaxQueuesPerHost - (int)sending.GetValueOrDefault(host), claim.MaxQueues);
            if (room <= 0 || paused.Contains(host))
            {
                continue;
            }

            var due = (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
                $"""
                SELECT {DeliveryRow.Columns} FROM deliveries d
                WHERE d.head AND d.host = @Host AND d.next_attempt_at <= @Now AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= @Now)
                ORDER BY d.next_attempt_at, d.position LIMIT @Room
                """,
                new { Host = host, Now = now, Room = (long)room }, transaction, cancellationToken: cancellationToken))).ToList();
            if (due.Count > 0)
            {
                perHost.Add(due);
                found += due.Count;
            }

            if (found >= claim.MaxQueues)
            {
                break;
            }
        }

        return [.. perHost
            .SelectMany(due => due.Select((head, turn) => (head, turn)))
            .OrderBy(t => t.turn)
            .Select(t => t.head)
            .Take(claim.MaxQueues)];
    }

    private sealed class HostCount
    {
        public string Host { get; set; } = "";

        public long Queues { get; set; }
    }
}
