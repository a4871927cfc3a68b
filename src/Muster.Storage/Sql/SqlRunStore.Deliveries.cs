using System.Data.Common;
using Dapper;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore
{
    public Task RecordAttemptAsync(Guid deliveryId, DeliveryAttempt attempt, DeliveryState state, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var id = deliveryId.ToString();
            var leaves = state != DeliveryState.Pending;
            if (leaves)
            {
                // Appends of the run decide a new delivery's head from the queue's pending ones while holding the run's
                // row: taking it here too keeps a delivery leaving the queue from racing one joining it (no head, or two).
                await connection.ExecuteAsync(new CommandDefinition(
                    $"SELECT id FROM runs WHERE id = (SELECT run_id FROM deliveries WHERE id = @Id){LockRow}",
                    new { Id = id }, transaction, cancellationToken: cancellationToken));
            }

            // Absent when its run was deleted meanwhile: nothing is owed any more, so the attempt is dropped.
            var recorded = await connection.QueryFirstOrDefaultAsync<RecordedRow>(new CommandDefinition(
                "UPDATE deliveries SET attempt_count = attempt_count + 1, state = @State, " +
                "next_attempt_at = COALESCE(@Next, next_attempt_at), lease_owner = NULL, lease_expires_at = NULL" +
                (leaves ? ", head = FALSE " : " ") +
                "WHERE id = @Id RETURNING attempt_count AS AttemptCount, run_id AS RunId, url AS Url",
                new { Id = id, State = RunStates.ToText(state), Next = StoreTime.ToMs(nextAttemptAt) },
                transaction, cancellationToken: cancellationToken));
            if (recorded is null)
            {
                return true;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO delivery_attempts (delivery_id, attempt_number, attempted_at, status_code, error) " +
                "VALUES (@Id, @Number, @At, @StatusCode, @Error)",
                new { Id = id, Number = recorded.AttemptCount, At = StoreTime.ToMs(attempt.AttemptedAt), StatusCode = (long?)attempt.StatusCode, attempt.Error },
                transaction, cancellationToken: cancellationToken));
            if (leaves)
            {
                // The queue's next delivery, if any, becomes its head (idempotent: the oldest pending one is the head).
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE deliveries SET head = TRUE WHERE position = " +
                    "(SELECT MIN(position) FROM deliveries WHERE run_id = @RunId AND url = @Url AND state = 'pending')",
                    new { recorded.RunId, recorded.Url }, transaction, cancellationToken: cancellationToken));
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
                // One statement per delivery, in order: each sees the ones before it, so only a queue's first is its head.
                "INSERT INTO deliveries (id, run_id, url, host, kind, payload, authentication, state, created_at, next_attempt_at, attempt_count, head) " +
                "VALUES (@Id, @RunId, @Url, @Host, @Kind, @Payload, @Authentication, 'pending', @CreatedAt, @CreatedAt, 0, " +
                "NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.run_id = @RunId AND p.url = @Url AND p.state = 'pending'))",
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

    private sealed class RecordedRow
    {
        public long AttemptCount { get; set; }

        public string RunId { get; set; } = "";

        public string Url { get; set; } = "";
    }
}
