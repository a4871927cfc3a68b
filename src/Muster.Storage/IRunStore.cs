using Muster.Core.Engine;

namespace Muster.Storage;

/// <summary>
/// The durable state of runs. Every provider (SQLite, PostgreSQL) passes the same behaviour suite.
/// Writes that belong together commit together: an event, the projection it changes, a task result
/// it carries and the webhooks it causes.
/// </summary>
public interface IRunStore
{
    /// <summary>Creates or migrates the schema; safe when several nodes start at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads the runs table (readiness): true when it answers; a <see cref="StoreUnavailableException"/> says why it does not.
    /// </summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores a pending run. A repeated idempotency key (same owner, within 24 hours) stores nothing: it answers the existing
    /// run's id with <see cref="CreateRunOutcome.Duplicate"/> for the same request (crew and body), and
    /// <see cref="CreateRunOutcome.KeyReused"/> for another. A run whose id is taken already is not stored:
    /// <see cref="CreateRunOutcome.IdTaken"/>.
    /// </summary>
    Task<CreateRunResult> CreateRunAsync(NewRun run, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>Newest first; a cursor page neither skips nor repeats a run while new runs arrive.</summary>
    /// <exception cref="ArgumentException">The cursor is not one this store issued (answer 400).</exception>
    Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The usage report: tokens, calls and cost of the LLM calls that answered in the query's window, per group, computed in
    /// SQL. Groups come ordered by key (ordinal); a group's cost is null when any of its calls had no price.
    /// </summary>
    Task<IReadOnlyList<UsageGroup>> GetUsageAsync(UsageQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes a finished run with its events, task results and deliveries. False when absent or not finished.</summary>
    Task<bool> DeleteRunAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>Deletes finished runs completed before <paramref name="completedBefore"/>; returns how many.</summary>
    Task<int> PurgeFinishedRunsAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the oldest runnable run for <paramref name="nodeId"/>: a pending run (kickoff order), or a running
    /// run whose lease has lapsed. The run becomes running with a lease until <paramref name="now"/> + <paramref name="lease"/>.
    /// </summary>
    Task<RunRecord?> TryClaimRunAsync(string nodeId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Extends the leases this node holds. Returns the ids it no longer holds (lost to another node, or finished) and,
    /// among those it still holds, the runs someone asked to stop (the flag <see cref="StopAsync"/> sets), so a node
    /// that missed a stop signal still stops the run within one heartbeat.
    /// </summary>
    Task<LeaseRenewal> RenewLeasesAsync(string nodeId, IReadOnlyCollection<Guid> runIds, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Ends every lease that runs past <paramref name="now"/>, so the next claims take those runs at once; returns how many
    /// runs it freed. Only for a store one server owns alone (SQLite under the server lock): at that server's start, every
    /// lease still running belongs to a process of it that died.
    /// </summary>
    Task<int> EndLeasesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Outputs of the run's finished tasks, in completion order.</summary>
    Task<IReadOnlyList<TaskOutput>> GetTaskResultsAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends an event (its sequence must be the run's next), stores its task output if it carries one,
    /// applies <paramref name="update"/> and adds <paramref name="deliveries"/>, in one transaction.
    /// </summary>
    /// <exception cref="EventSequenceException">The sequence is not the run's last + 1; nothing was stored.</exception>
    /// <exception cref="RunNotFoundException">The run is not in the store (deleted); nothing was stored.</exception>
    /// <exception cref="LeaseLostException">
    /// <paramref name="update"/> names a <see cref="RunUpdate.LeaseOwner"/> that no longer holds the run; nothing was stored.
    /// </exception>
    Task AppendEventAsync(RunEvent runEvent, RunUpdate? update, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>
    /// Appends consecutive events of one run in one transaction, as <see cref="AppendEventAsync"/> would one by one: the
    /// first must be the run's next, each one's update applies after the previous one's, and either all are stored or none.
    /// </summary>
    /// <exception cref="EventSequenceException">The first sequence is not the run's last + 1, or the events are not consecutive.</exception>
    /// <exception cref="RunNotFoundException">The run is not in the store (deleted); nothing was stored.</exception>
    /// <exception cref="LeaseLostException">An update names a <see cref="RunUpdate.LeaseOwner"/> that no longer holds the run.</exception>
    Task AppendEventsAsync(IReadOnlyList<EventAppend> appends, CancellationToken cancellationToken);

    /// <summary>Events with a sequence above <paramref name="afterSequence"/>, in order, with their data as it was stored.</summary>
    Task<IReadOnlyList<RunEventRecord>> GetEventsAsync(Guid runId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records a reviewer's answer to a paused run and makes it runnable again, atomically: only when the run
    /// awaits human input for <paramref name="review"/>'s task. New webhook settings, when given, replace the run's.
    /// </summary>
    Task<ResumeOutcome> ResumeAsync(Guid runId, HumanReview review, WebhookSettings? webhooks, CancellationToken cancellationToken);

    /// <summary>
    /// Stops a run: a pending or paused run stops at once (with <paramref name="stopEvent"/>, a stopping
    /// <see cref="CrewKickoffFailed"/>, appended and projected onto the run, and <paramref name="deliveries"/> added);
    /// an executing one is flagged for its node to stop.
    /// </summary>
    Task<StopResult> StopAsync(Guid runId, Func<RunRecord, RunEvent> stopEvent, Func<RunRecord, IReadOnlyList<NewDelivery>> deliveries, CancellationToken cancellationToken);

    /// <summary>The run's webhook settings as stored now, or null when the run is absent.</summary>
    Task<WebhookSettings?> GetWebhooksAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Changes the run's webhook settings atomically (two changes never lose one another); the settings after the change,
    /// or null when the run is absent.
    /// </summary>
    Task<WebhookSettings?> UpdateWebhooksAsync(Guid runId, Func<WebhookSettings, WebhookSettings> change, CancellationToken cancellationToken);
}

/// <summary>The webhook outbox.</summary>
public interface IDeliveryStore
{
    /// <summary>
    /// Claims up to <see cref="DeliveryClaim.MaxQueues"/> (run, url) queues whose oldest pending delivery is due, for one
    /// dispatcher (until now + lease), so deliveries to one URL for one run go out in order and each by one dispatcher at a
    /// time. Hosts take turns: the hosts are visited from <see cref="DeliveryClaim.StartAfterHost"/> on, each giving its
    /// longest-due queues, no host gets more than <see cref="DeliveryClaim.MaxQueuesPerHost"/> queues leased at once, and
    /// paused hosts are skipped. Batches come turn by turn (every host's first, then every host's second, ...), hosts in
    /// the order visited: the last host to get its first batch is where the next claim's round should resume. Each batch is the queue's
    /// oldest delivery and, when its kind is <c>events</c> (a batched event stream), the consecutive pending <c>events</c>
    /// deliveries behind it (at most 100), sent as one request.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<DeliveryRecord>>> ClaimDueDeliveriesAsync(DeliveryClaim claim, CancellationToken cancellationToken);

    /// <summary>Records an attempt; the delivery becomes <paramref name="state"/> and, if still pending, is due again at <paramref name="nextAttemptAt"/>.</summary>
    Task RecordAttemptAsync(Guid deliveryId, DeliveryAttempt attempt, DeliveryState state, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(Guid runId, CancellationToken cancellationToken);
}

/// <summary>Bearer tokens, stored hashed.</summary>
public interface ITokenStore
{
    Task CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken);
    Task<TokenRecord?> FindTokenByHashAsync(string hash, CancellationToken cancellationToken);
    Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken);
    /// <summary>False when the token does not exist or was already revoked.</summary>
    Task<bool> RevokeTokenAsync(string tokenId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Gives a token a new id, and in the same transaction its runs: their <c>token_id</c>, the <c>owner_id</c> of an
    /// organization token's runs (<c>org:{id}</c>) and the <c>org:{id}</c> in runs' errors (a stop names who stopped).
    /// False when no token has <paramref name="oldId"/> (another node renamed it first).
    /// </summary>
    Task<bool> ReplaceTokenIdAsync(string oldId, string newId, CancellationToken cancellationToken);

    /// <summary>
    /// The spend (<c>spent_tokens</c>, <c>spent_cost_nanos</c>) of the runs <paramref name="tokenId"/> started, summed over
    /// those created at or after <paramref name="dayStart"/> and over those created at or after <paramref name="monthStart"/>.
    /// </summary>
    Task<TokenSpend> GetTokenSpendAsync(string tokenId, DateTimeOffset dayStart, DateTimeOffset monthStart, CancellationToken cancellationToken);
}
