using System.Data.Common;
using Dapper;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore
{
    private const int MaxBatch = 100;
    private const string EventsKind = "events";

    public Task<IReadOnlyList<IReadOnlyList<DeliveryRecord>>> ClaimDueDeliveriesAsync(string nodeId, DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return Task.FromResult<IReadOnlyList<IReadOnlyList<DeliveryRecord>>>([]);
        }

        return InTransactionAsync<IReadOnlyList<IReadOnlyList<DeliveryRecord>>>(async (connection, transaction) =>
        {
            var nowMs = StoreTime.ToMs(now);
            // A queue is claimable when its head (oldest pending delivery) is due and not leased; a leased delivery
            // anywhere ahead keeps the queue closed, so one dispatcher at a time owns it.
            var heads = (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
                $"""
                SELECT {DeliveryRow.Columns} FROM deliveries d
                WHERE d.state = 'pending' AND d.next_attempt_at <= @Now AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= @Now)
                  AND NOT EXISTS (SELECT 1 FROM deliveries h WHERE h.run_id = d.run_id AND h.url = d.url AND h.state = 'pending' AND h.position < d.position)
                ORDER BY d.position LIMIT @Max{SkipLocked}
                """,
                new { Now = nowMs, Max = (long)max }, transaction, cancellationToken: cancellationToken))).ToList();

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
                        ORDER BY d.position LIMIT @Take{SkipLocked}
                        """,
                        new { head.RunId, head.Url, head.Position, Take = (long)MaxBatch - 1 }, transaction, cancellationToken: cancellationToken));
                    batch.AddRange(behind.TakeWhile(d => d.Kind == EventsKind));
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE deliveries SET lease_owner = @Node, lease_expires_at = @Expires WHERE id {AnyOf("@Ids")}",
                    new { Node = nodeId, Expires = StoreTime.ToMs(now + lease), Ids = batch.Select(d => d.Id).ToArray() },
                    transaction, cancellationToken: cancellationToken));
                // Claimed records carry AttemptCount but not the attempt history: the dispatcher needs only the count.
                batches.Add([.. batch.Select(d => d.ToRecord([]))]);
            }

            return batches;
        }, cancellationToken);
    }

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
                $"SELECT {DeliveryRow.Columns} FROM deliveries WHERE run_id = @RunId ORDER BY position", parameters, cancellationToken: cancellationToken));
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
                "INSERT INTO deliveries (id, run_id, url, kind, payload, authentication, state, created_at, next_attempt_at, attempt_count) " +
                "VALUES (@Id, @RunId, @Url, @Kind, @Payload, @Authentication, 'pending', @CreatedAt, @CreatedAt, 0)",
                deliveries.Select(d => new
                {
                    Id = d.Id.ToString(),
                    RunId = d.RunId.ToString(),
                    d.Url,
                    d.Kind,
                    d.Payload,
                    d.Authentication,
                    CreatedAt = StoreTime.ToMs(d.CreatedAt),
                }),
                transaction, cancellationToken: cancellationToken));
}
