using System.Data.Common;
using Dapper;

namespace Muster.Storage.Sql;

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
            var heads = (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
                ClaimHeadsSql,
                new
                {
                    Now = StoreTime.ToMs(claim.Now),
                    Max = (long)claim.MaxQueues,
                    PerHost = (long)claim.MaxQueuesPerHost,
                    Paused = claim.PausedHosts.ToArray(),
                },
                transaction, cancellationToken: cancellationToken))).ToList();

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

    // A queue's head is its oldest pending delivery; a queue is claimable when its head is due and not leased (a leased
    // head, or a leased delivery behind it in a batch, keeps the queue with one dispatcher). A host's queues being sent
    // are its leased heads. Among the claimable heads, each host's are numbered oldest first (its turn), and heads are
    // taken turn by turn, oldest first within a turn, while the host's sending count plus the turn stays within the cap:
    // round robin across hosts, instead of global age, which let 300 old queues to one dead host starve every other.
    private string ClaimHeadsSql =>
        $"""
        WITH heads AS (
            SELECT q.position, q.host, q.next_attempt_at, q.lease_expires_at FROM deliveries q
            WHERE q.state = 'pending'
              AND NOT EXISTS (SELECT 1 FROM deliveries a WHERE a.run_id = q.run_id AND a.url = q.url AND a.state = 'pending' AND a.position < q.position)
        ),
        sending AS (
            SELECT host, COUNT(*) AS queues FROM heads WHERE lease_expires_at > @Now GROUP BY host
        ),
        ready AS (
            SELECT position, host, ROW_NUMBER() OVER (PARTITION BY host ORDER BY position) AS turn FROM heads
            WHERE next_attempt_at <= @Now AND (lease_expires_at IS NULL OR lease_expires_at <= @Now) AND NOT (host {AnyOf("@Paused")})
        )
        SELECT {DeliveryRow.Columns} FROM ready r
        JOIN deliveries d ON d.position = r.position
        LEFT JOIN sending s ON s.host = r.host
        WHERE r.turn + COALESCE(s.queues, 0) <= @PerHost
        ORDER BY r.turn, r.position
        LIMIT @Max
        """;

    public Task RecordAttemptAsync(Guid deliveryId, DeliveryAttempt attempt, DeliveryState state, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            // Absent when its run was deleted meanwhile: nothing is owed any more, so the attempt is dropped.
            var number = await connection.QueryFirstOrDefaultAsync<long?>(new CommandDefinition(
                "UPDATE deliveries SET attempt_count = attempt_count + 1, state = @State, " +
                "next_attempt_at = COALESCE(@Next, next_attempt_at), lease_owner = NULL, lease_expires_at = NULL " +
                "WHERE id = @Id RETURNING attempt_count",
                new { Id = deliveryId.ToString(), State = RunStates.ToText(state), Next = StoreTime.ToMs(nextAttemptAt) },
                transaction, cancellationToken: cancellationToken));
            if (number is { } attemptNumber)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO delivery_attempts (delivery_id, attempt_number, attempted_at, status_code, error) " +
                    "VALUES (@Id, @Number, @At, @StatusCode, @Error)",
                    new { Id = deliveryId.ToString(), Number = attemptNumber, At = StoreTime.ToMs(attempt.AttemptedAt), StatusCode = (long?)attempt.StatusCode, attempt.Error },
                    transaction, cancellationToken: cancellationToken));
            }

            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<DeliveryRecord>>(async connection =>
        {
            var parameters = new { RunId = runId.ToString() };
            var rows = await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
                $"SELECT {DeliveryRow.Columns} FROM deliveries d WHERE d.run_id = @RunId ORDER BY d.position", parameters, cancellationToken: cancellationToken));
            var attempts = (await connection.QueryAsync<AttemptRow>(new CommandDefinition(
                "SELECT a.delivery_id AS DeliveryId, a.attempted_at AS AttemptedAt, a.status_code AS StatusCode, a.error AS Error " +
                "FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.run_id = @RunId ORDER BY a.delivery_id, a.attempt_number",
                parameters, cancellationToken: cancellationToken)))
                .ToLookup(a => a.DeliveryId, a => new DeliveryAttempt(StoreTime.FromMs(a.AttemptedAt), (int?)a.StatusCode, a.Error));
            return [.. rows.Select(r => r.ToRecord([.. attempts[r.Id]]))];
        }, cancellationToken);

    private static Task InsertDeliveriesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken) =>
        deliveries.Count == 0
            ? Task.CompletedTask
            : connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO deliveries (id, run_id, url, host, kind, payload, authentication, state, created_at, next_attempt_at, attempt_count) " +
                "VALUES (@Id, @RunId, @Url, @Host, @Kind, @Payload, @Authentication, 'pending', @CreatedAt, @CreatedAt, 0)",
                deliveries.Select(d => new
                {
                    Id = d.Id.ToString(),
                    RunId = d.RunId.ToString(),
                    d.Url,
                    Host = DeliveryHosts.Of(d.Url),
                    d.Kind,
                    d.Payload,
                    d.Authentication,
                    CreatedAt = StoreTime.ToMs(d.CreatedAt),
                }),
                transaction, cancellationToken: cancellationToken));
}
