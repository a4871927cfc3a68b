using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Dapper;
using Muster.Core.Crews;
using Muster.Core.Engine;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore
{
    // What a claim looks for, in this order, each an index seek however many runs are in flight: a running run whose
    // lease lapsed (its node died or handed it back; oldest lapse first), a running run with no lease at all (given up
    // without a state change), then the oldest pending run. One query over all running runs' leases would walk every
    // live lease, once per claim.
    private static readonly string[] ClaimProbes =
    [
        "SELECT id FROM runs WHERE state = 'running' AND lease_expires_at <= @Now ORDER BY lease_expires_at, created_at, id LIMIT 1",
        "SELECT id FROM runs WHERE state = 'running' AND lease_expires_at IS NULL ORDER BY created_at, id LIMIT 1",
        "SELECT id FROM runs WHERE state = 'pending' ORDER BY created_at, id LIMIT 1",
    ];

    // The UPDATE an append makes, one text per combination of changed columns (a handful occur). Only the columns an
    // event changes are assigned: most events change nothing but the sequence, and assigning an indexed column (state,
    // completed_at, the lease), even to its own value, rewrites its entries in every index over it.
    private static readonly ConcurrentDictionary<int, string> ApplyUpdates = new();

    private static string ApplyUpdate(RunUpdate changes)
    {
        var shape = (changes.State is null ? 0 : 1 << 0)
            | (changes.CurrentTask is null ? 0 : 1 << 1)
            | (changes.CompletedTasks is null ? 0 : 1 << 2)
            | (changes.Result is null ? 0 : 1 << 3)
            | (changes.ResultJson is null ? 0 : 1 << 4)
            | (changes.Error is null ? 0 : 1 << 5)
            | (changes.Usage is null ? 0 : 1 << 6)
            | (changes.StartedAt is null ? 0 : 1 << 7)
            | (changes.CompletedAt is null ? 0 : 1 << 8)
            | (changes.PendingReview is null ? 0 : 1 << 9)
            | (changes.ClearReview ? 1 << 10 : 0)
            | (changes.ReleaseLease ? 1 << 11 : 0)
            | (changes.Spent is null ? 0 : 1 << 12)
            | (changes.Worked is null && changes.WorkMark is null ? 0 : 1 << 13)
            | (changes.ExecutionSpan is null ? 0 : 1 << 14);
        return ApplyUpdates.GetOrAdd(shape, static shape =>
        {
            bool Has(int bit) => (shape & (1 << bit)) != 0;
            var set = new List<string> { "last_sequence = @Sequence", "recorded_bytes = recorded_bytes + @Recorded" };
            AddIf(Has(0), "state = @State");
            AddIf(Has(1), "current_task = @CurrentTask");
            AddIf(Has(2), "completed_tasks = @CompletedTasks");
            AddIf(Has(3), "result = @Result");
            AddIf(Has(4), "result_json = @ResultJson");
            AddIf(Has(5), "error = @Error");
            AddIf(Has(6), "prompt_tokens = @PromptTokens, completion_tokens = @CompletionTokens, " +
                "cached_prompt_tokens = @CachedPromptTokens, successful_requests = @SuccessfulRequests, cost_nanos = @CostNanos");
            AddIf(Has(7), "started_at = @StartedAt");
            AddIf(Has(8), "completed_at = @CompletedAt");
            // A new pending review wins over clearing the old one (an event may resolve one review and raise the next).
            AddIf(Has(9), "pending_review = @PendingReview");
            AddIf(Has(10) && !Has(9), "pending_review = NULL");
            AddIf(Has(10), "review = NULL");
            AddIf(Has(11), "lease_owner = NULL, lease_expires_at = NULL");
            AddIf(Has(12), "spent_tokens = @SpentTokens, spent_llm_calls = @SpentLlmCalls, spent_cost_nanos = @SpentCostNanos");
            AddIf(Has(13), "worked_ms = COALESCE(@WorkedMs, worked_ms), work_mark_at = COALESCE(@WorkMarkAt, work_mark_at)");
            AddIf(Has(14), "execution_span = @ExecutionSpan");
            return $"UPDATE runs SET {string.Join(", ", set)} " +
                "WHERE id = @RunId AND last_sequence = @Previous AND (@LeaseOwner IS NULL OR lease_owner = @LeaseOwner)";

            void AddIf(bool condition, string assignment)
            {
                if (condition)
                {
                    set.Add(assignment);
                }
            }
        });
    }

    public Task<RunRecord?> TryClaimRunAsync(string nodeId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var parameters = new { Node = nodeId, Now = StoreTime.ToMs(now), Expires = StoreTime.ToMs(now + lease) };
            foreach (var probe in ClaimProbes)
            {
                // The probe locks the row it finds (PostgreSQL), passing over rows other claimers hold.
                var id = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
                    probe + SkipLocked, parameters, transaction, cancellationToken: cancellationToken));
                if (id is null)
                {
                    continue;
                }

                var row = await connection.QueryFirstOrDefaultAsync<RunRow>(new CommandDefinition(
                    $"""
                    UPDATE runs SET state = 'running', lease_owner = @Node, lease_expires_at = @Expires, started_at = COALESCE(started_at, @Now)
                    WHERE id = @Id
                    RETURNING {RunRow.Columns}
                    """,
                    new { parameters.Node, parameters.Now, parameters.Expires, Id = id },
                    transaction, cancellationToken: cancellationToken));
                if (row is null)
                {
                    return null;
                }

                // This node now writes the run's events: it keeps its long inputs at hand for them.
                Texts.Remember(row.Id, row.Inputs);
                return (await ToRecordsAsync(connection, transaction, [row], cancellationToken))[0];
            }

            return null;
        }, cancellationToken, wrote: claimed => claimed is not null);

    public async Task<LeaseRenewal> RenewLeasesAsync(string nodeId, IReadOnlyCollection<Guid> runIds, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (runIds.Count == 0)
        {
            return new LeaseRenewal([], []);
        }

        var held = await InTransactionAsync(async (connection, transaction) =>
        {
            var renewed = new Dictionary<Guid, bool>();
            // Chunked: a node may hold thousands of leases, more than a statement should carry as parameters.
            foreach (var chunk in runIds.Chunk(500))
            {
                var rows = await connection.QueryAsync<LeaseRow>(new CommandDefinition(
                    $"UPDATE runs SET lease_expires_at = @Expires WHERE id {AnyOf("@Ids")} AND lease_owner = @Node AND state = 'running' " +
                    "RETURNING id AS Id, stop_requested AS StopRequested",
                    new { Node = nodeId, Expires = StoreTime.ToMs(expiresAt), Ids = chunk.Select(id => id.ToString()).ToArray() },
                    transaction, cancellationToken: cancellationToken));
                foreach (var row in rows)
                {
                    renewed[Guid.Parse(row.Id)] = row.StopRequested;
                }
            }

            return renewed;
        }, cancellationToken);
        return new LeaseRenewal(
            [.. runIds.Where(id => !held.ContainsKey(id))],
            [.. held.Where(h => h.Value).Select(h => h.Key)]);
    }

    public Task<int> EndLeasesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        InTransactionAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runs SET lease_expires_at = @Now WHERE state = 'running' AND lease_expires_at > @Now",
            new { Now = StoreTime.ToMs(now) }, transaction, cancellationToken: cancellationToken)), cancellationToken);

    public Task AppendEventAsync(RunEvent runEvent, RunUpdate? update, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken) =>
        AppendEventsAsync([new EventAppend(runEvent, update, deliveries)], cancellationToken);

    public Task AppendEventsAsync(IReadOnlyList<EventAppend> appends, CancellationToken cancellationToken) =>
        appends.Count == 0
            ? Task.CompletedTask
            : InTransactionAsync((connection, transaction) => AppendAsync(connection, transaction, appends, cancellationToken), cancellationToken);

    public Task<ResumeOutcome> ResumeAsync(Guid runId, HumanReview review, WebhookSettings? webhooks, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var run = await ReadForUpdateAsync(connection, transaction, runId, cancellationToken);
            if (run is null)
            {
                return ResumeOutcome.NotFound;
            }

            if (run.State != RunState.AwaitingHuman || run.PendingReview?.Name != review.TaskName)
            {
                return ResumeOutcome.NotAwaitingHuman;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE runs SET state = 'pending', review = @Review, webhooks = COALESCE(@Webhooks, webhooks), " +
                "lease_owner = NULL, lease_expires_at = NULL WHERE id = @Id AND state = 'awaiting_human'",
                new { Id = runId.ToString(), Review = StoreJson.Write(review), Webhooks = StoreJson.WriteOrNull(webhooks) },
                transaction, cancellationToken: cancellationToken));
            return ResumeOutcome.Resumed;
        }, cancellationToken);

    public Task<StopResult> StopAsync(Guid runId, Func<RunRecord, RunEvent> stopEvent, Func<RunRecord, IReadOnlyList<NewDelivery>> deliveries, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var run = await ReadForUpdateAsync(connection, transaction, runId, cancellationToken);
            if (run is null)
            {
                return new StopResult(StopOutcome.NotFound, RunState.Pending);
            }

            if (run.State.IsFinished())
            {
                return new StopResult(StopOutcome.AlreadyFinished, run.State);
            }

            if (run.State == RunState.Running)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE runs SET stop_requested = TRUE WHERE id = @Id", new { Id = runId.ToString() },
                    transaction, cancellationToken: cancellationToken));
                return new StopResult(StopOutcome.StopRequested, RunState.Running);
            }

            var stop = stopEvent(run);
            var stopped = RunProjection.Apply(run, stop);
            await AppendAsync(connection, transaction, [new EventAppend(stop, RunUpdate.Between(run, stopped), deliveries(run))], cancellationToken);
            return new StopResult(StopOutcome.Stopped, stopped.State);
        }, cancellationToken);

    private async Task<RunRecord?> ReadForUpdateAsync(DbConnection connection, DbTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        var row = await connection.QueryFirstOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunRow.Columns} FROM runs WHERE id = @Id{LockRow}", new { Id = runId.ToString() },
            transaction, cancellationToken: cancellationToken));
        return row is null ? null : (await ToRecordsAsync(connection, transaction, [row], cancellationToken))[0];
    }

    private async Task<bool> AppendAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<EventAppend> appends, CancellationToken cancellationToken)
    {
        var first = appends[0].Event;
        var last = appends[^1].Event;
        for (var i = 1; i < appends.Count; i++)
        {
            var next = appends[i].Event;
            if (next.RunId != first.RunId)
            {
                throw new ArgumentException("Events appended together must belong to one run.", nameof(appends));
            }

            if (next.Sequence != first.Sequence + i)
            {
                throw new EventSequenceException(first.RunId, first.Sequence + i, next.Sequence);
            }
        }

        var runId = first.RunId.ToString();
        // The run's long inputs are kept out of what it stores (null: the run is gone, which the update below reports).
        var texts = await InputTextsAsync(connection, transaction, runId, cancellationToken) ?? InputTexts.None;
        var data = appends.Select(a => texts.Pack(RunEventJson.Serialize(a.Event.Data))).ToList();
        // The events' changes fold into one: one row update for the lot, checked against the sequence before the first.
        var changes = appends.Select(a => a.Update ?? new RunUpdate()).Aggregate((earlier, later) => earlier.Then(later));
        // The conditional update is the sequence check: it also takes the run's row lock, so concurrent appenders queue here.
        var updated = await connection.ExecuteAsync(new CommandDefinition(ApplyUpdate(changes), new
        {
            RunId = runId,
            last.Sequence,
            Previous = first.Sequence - 1,
            State = changes.State is { } state ? RunStates.ToText(state) : null,
            changes.CurrentTask,
            CompletedTasks = (long?)changes.CompletedTasks,
            changes.Result,
            ResultJson = changes.ResultJson?.ToJsonString(),
            changes.Error,
            changes.Usage?.PromptTokens,
            changes.Usage?.CompletionTokens,
            changes.Usage?.CachedPromptTokens,
            changes.Usage?.SuccessfulRequests,
            CostNanos = Nanos.From(changes.Usage?.CostUsd),
            SpentTokens = changes.Spent?.Tokens,
            SpentLlmCalls = changes.Spent?.LlmCalls,
            SpentCostNanos = Nanos.From(changes.Spent?.CostUsd),
            WorkedMs = changes.Worked is { } worked ? (long?)(long)worked.TotalMilliseconds : null,
            WorkMarkAt = StoreTime.ToMs(changes.WorkMark),
            StartedAt = StoreTime.ToMs(changes.StartedAt),
            CompletedAt = StoreTime.ToMs(changes.CompletedAt),
            changes.ExecutionSpan,
            PendingReview = changes.PendingReview is { } review ? texts.Pack(StoreJson.Write(review)) : null,
            changes.LeaseOwner,
            Recorded = data.Sum(d => (long)Encoding.UTF8.GetByteCount(d)),
        }, transaction, cancellationToken: cancellationToken));
        if (updated == 0)
        {
            var current = await connection.QueryFirstOrDefaultAsync<LeaseRow>(new CommandDefinition(
                "SELECT id AS Id, last_sequence AS LastSequence, lease_owner AS LeaseOwner FROM runs WHERE id = @RunId",
                new { RunId = runId }, transaction, cancellationToken: cancellationToken));
            if (current is null)
            {
                throw new RunNotFoundException(first.RunId);
            }

            // A lost lease explains a sequence gap too (the new owner appended): report the cause, not the symptom.
            throw changes.LeaseOwner is { } owner && current.LeaseOwner != owner
                ? new LeaseLostException(first.RunId, owner)
                : new EventSequenceException(first.RunId, current.LastSequence + 1, first.Sequence);
        }

        for (var i = 0; i < appends.Count; i++)
        {
            var (runEvent, _, deliveries) = appends[i];
            // An LLM call's row also carries what the usage report sums (the event's own insert: no statement more per call).
            await connection.ExecuteAsync(runEvent.Data is LlmCallCompleted call
                ? new CommandDefinition(
                    "INSERT INTO run_events (run_id, sequence, type, ts, data, model, prompt_tokens, completion_tokens, cost_nanos) " +
                    "VALUES (@RunId, @Sequence, @Type, @Ts, @Data, @Model, @PromptTokens, @CompletionTokens, @CostNanos)",
                    new
                    {
                        RunId = runId,
                        runEvent.Sequence,
                        runEvent.Type,
                        Ts = StoreTime.ToMs(runEvent.Timestamp),
                        Data = data[i],
                        call.Model,
                        call.Usage.PromptTokens,
                        call.Usage.CompletionTokens,
                        CostNanos = Nanos.From(call.Usage.CostUsd),
                    },
                    transaction, cancellationToken: cancellationToken)
                : new CommandDefinition(
                    "INSERT INTO run_events (run_id, sequence, type, ts, data) VALUES (@RunId, @Sequence, @Type, @Ts, @Data)",
                    new { RunId = runId, runEvent.Sequence, runEvent.Type, Ts = StoreTime.ToMs(runEvent.Timestamp), Data = data[i] },
                    transaction, cancellationToken: cancellationToken));
            // task_awaiting_human carries its output too, but that output is not a result until a reviewer approves it.
            if (runEvent.Data is TaskCompleted { TaskOutput: var output })
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO task_results (run_id, sequence, task_name, agent, output, completed_at) " +
                    "VALUES (@RunId, @Sequence, @TaskName, @Agent, @Output, @CompletedAt)",
                    new
                    {
                        RunId = runId,
                        runEvent.Sequence,
                        TaskName = output.Name,
                        Agent = AgentLabel(output.Agent),
                        Output = texts.Pack(StoreJson.Write(output)),
                        CompletedAt = StoreTime.ToMs(runEvent.Timestamp),
                    },
                    transaction, cancellationToken: cancellationToken));
            }

            await InsertDeliveriesAsync(connection, transaction, deliveries, cancellationToken);
        }

        return true;
    }

    // The agent column is for people reading the database (the output holds the agent): a role filled with a long input is
    // cut, never inside a surrogate pair (PostgreSQL refuses half of one).
    private static string AgentLabel(string agent) =>
        agent.Length <= 200 ? agent : agent[..(char.IsHighSurrogate(agent[199]) ? 199 : 200)] + "…";
}
