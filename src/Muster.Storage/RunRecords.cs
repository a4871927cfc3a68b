using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Core.Crews;
using Muster.Core.Costs;
using Muster.Core.Engine;

namespace Muster.Storage;

/// <summary>The life of a run. Pending and awaiting-human runs hold no memory beyond their row.</summary>
public enum RunState
{
    Pending,
    Running,
    AwaitingHuman,
    Completed,
    Failed,
    Stopped,
}

public static class RunStateExtensions
{
    public static bool IsFinished(this RunState state) => state is RunState.Completed or RunState.Failed or RunState.Stopped;
}

/// <summary>Where a run reports: the AMP kickoff's webhook fields, stored with the run and replaceable on resume.</summary>
public sealed record WebhookSettings
{
    public static readonly WebhookSettings None = new();
    public string? TaskWebhookUrl { get; init; }
    public string? StepWebhookUrl { get; init; }
    public string? CrewWebhookUrl { get; init; }
    public WebhookStreamConfig? Stream { get; init; }
    public HumanInputWebhookConfig? HumanInput { get; init; }
    /// <summary>The A2A push notification configs set on the run's task (CreateTaskPushNotificationConfig and kin).</summary>
    public IReadOnlyList<PushNotificationConfig>? PushConfigs { get; init; }
}

/// <summary>
/// Where an A2A client wants a task's updates POSTed: the config's id (unique within the task), the URL, the token sent back
/// as <c>X-A2A-Notification-Token</c>, and the credentials of an <c>Authorization</c> header (<see cref="Scheme"/> Bearer or
/// Basic). <see cref="Legacy"/> configs, set over A2A v0.3, are sent v0.3's task shape.
/// </summary>
public sealed record PushNotificationConfig
{
    public required string Id { get; init; }
    public required string Url { get; init; }
    public string? Token { get; init; }
    public string? Scheme { get; init; }
    public string? Credentials { get; init; }
    public bool Legacy { get; init; }
}

/// <summary>A run to store at kickoff.</summary>
public sealed record NewRun
{
    public required Guid Id { get; init; }
    /// <summary>The deployed crew's name, or the ad-hoc crew's generated name.</summary>
    public required string CrewName { get; init; }
    /// <summary>
    /// The crew as loaded, not yet filled with the inputs: the store keeps it once per version, and gives the run back with
    /// it interpolated with <see cref="Inputs"/> (<see cref="RunRecord.Crew"/>).
    /// </summary>
    public required CrewDefinition Crew { get; init; }
    public required JsonObject Inputs { get; init; }
    public JsonObject? Meta { get; init; }
    /// <summary>The user id of a user token, or <c>org:{token id}</c> for an organization token (idempotency keys are scoped to it).</summary>
    public required string OwnerId { get; init; }
    /// <summary>The id of the token that started the run.</summary>
    public required string TokenId { get; init; }
    public required string CorrelationId { get; init; }
    public string? IdempotencyKey { get; init; }
    public WebhookSettings Webhooks { get; init; } = WebhookSettings.None;
    public required DateTimeOffset CreatedAt { get; init; }
    public bool AdHoc { get; init; }
    /// <summary>The agent protocol that started the run (<c>mcp</c>, <c>a2a</c>, <c>ag-ui</c>); null for AMP and the history API.</summary>
    public string? Protocol { get; init; }
    /// <summary>The W3C <c>traceparent</c> of the span the run's spans belong under (the kickoff's); null outside any trace.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>A stored run: the projection of its events kept current in the same transaction.</summary>
public sealed record RunRecord
{
    public required Guid Id { get; init; }
    public required string CrewName { get; init; }
    /// <summary>The crew the run executes, interpolated with <see cref="Inputs"/>.</summary>
    public required CrewDefinition Crew { get; init; }
    public required JsonObject Inputs { get; init; }
    public JsonObject? Meta { get; init; }
    public required string OwnerId { get; init; }
    public required string TokenId { get; init; }
    public required string CorrelationId { get; init; }
    public bool AdHoc { get; init; }
    /// <summary>The agent protocol that started the run; null for AMP and the history API.</summary>
    public string? Protocol { get; init; }
    /// <summary>The W3C <c>traceparent</c> the run's spans are children of, whichever node executes it; null outside any trace.</summary>
    public string? TraceParent { get; init; }
    /// <summary>
    /// The W3C <c>traceparent</c> of the span of the run's latest execution that recorded an event: the span the next
    /// execution links to. Null until a traced execution has recorded something.
    /// </summary>
    public string? ExecutionSpan { get; init; }
    public required RunState State { get; init; }
    public string? CurrentTask { get; init; }
    public int CompletedTasks { get; init; }
    public int TotalTasks { get; init; }
    public string? Result { get; init; }
    public JsonObject? ResultJson { get; init; }
    public string? Error { get; init; }
    public TokenUsage Usage { get; init; } = TokenUsage.Zero;
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public WebhookSettings Webhooks { get; init; } = WebhookSettings.None;
    /// <summary>The task output awaiting review while <see cref="State"/> is <see cref="RunState.AwaitingHuman"/>.</summary>
    public TaskOutput? PendingReview { get; init; }
    /// <summary>A reviewer's answer not yet acted on by the engine.</summary>
    public HumanReview? Review { get; init; }
    public long LastSequence { get; init; }
    /// <summary>Set when a stop was asked for while the run executed on some node.</summary>
    public bool StopRequested { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    /// <summary>
    /// What the run has recorded so far, in bytes of JSON: its inputs and meta, and the data of each event appended as the
    /// store keeps it (a long input counted once, in the inputs). Bounded by <c>Muster:Limits:MaxRunBytes</c>.
    /// </summary>
    public long RecordedBytes { get; init; }
    /// <summary>What every LLM call the run made spent (its <c>llm_call_completed</c> events summed): what budgets count.</summary>
    public RunSpend Spent { get; init; } = RunSpend.Zero;
    /// <summary>The time the run worked: from each start to its last counted event; pauses for review and takeovers not counted.</summary>
    public TimeSpan Worked { get; init; }
    /// <summary>Where <see cref="Worked"/> counts on from: the run's last start or counted event.</summary>
    public DateTimeOffset? WorkMark { get; init; }
}

/// <summary>
/// Changes to a run's row that commit with an event. Null members are left as they are. An event's changes are the
/// difference <see cref="RunProjection"/> makes (<see cref="Between"/>); this type only carries them to the store.
/// </summary>
public sealed record RunUpdate
{
    public RunState? State { get; init; }
    public string? CurrentTask { get; init; }
    public int? CompletedTasks { get; init; }
    public string? Result { get; init; }
    public JsonObject? ResultJson { get; init; }
    public string? Error { get; init; }
    public TokenUsage? Usage { get; init; }
    /// <summary>The run's spend, with <see cref="Worked"/> and <see cref="WorkMark"/> (the budget columns).</summary>
    public RunSpend? Spent { get; init; }
    public TimeSpan? Worked { get; init; }
    public DateTimeOffset? WorkMark { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>The span of the execution that writes this update (<see cref="RunRecord.ExecutionSpan"/>).</summary>
    public string? ExecutionSpan { get; init; }
    /// <summary>Sets the pending review (the run pauses).</summary>
    public TaskOutput? PendingReview { get; init; }
    /// <summary>Clears the pending review and the reviewer's answer (the engine acted on them).</summary>
    public bool ClearReview { get; init; }
    /// <summary>Gives up the lease (the run finished or paused on this node).</summary>
    public bool ReleaseLease { get; init; }
    /// <summary>
    /// A fence: when set, the event is stored only while this node holds the run's lease, so a node that lost the run
    /// to another cannot write into it any more.
    /// </summary>
    public string? LeaseOwner { get; init; }

    /// <summary>
    /// What changed from <paramref name="before"/> to <paramref name="after"/>, column by column. A value set back to null
    /// is not expressible, and the projection never does that, except for the review (<see cref="ClearReview"/>) and the
    /// lease (<see cref="ReleaseLease"/>). <paramref name="leaseOwner"/>, when given, fences the update (<see cref="LeaseOwner"/>).
    /// </summary>
    public static RunUpdate Between(RunRecord before, RunRecord after, string? leaseOwner = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return new RunUpdate
        {
            State = after.State != before.State ? after.State : null,
            CurrentTask = after.CurrentTask != before.CurrentTask ? after.CurrentTask : null,
            CompletedTasks = after.CompletedTasks != before.CompletedTasks ? after.CompletedTasks : null,
            Result = after.Result != before.Result ? after.Result : null,
            ResultJson = ReferenceEquals(after.ResultJson, before.ResultJson) ? null : after.ResultJson,
            Error = after.Error != before.Error ? after.Error : null,
            Usage = after.Usage != before.Usage ? after.Usage : null,
            Spent = after.Spent != before.Spent ? after.Spent : null,
            Worked = after.Worked != before.Worked ? after.Worked : null,
            WorkMark = after.WorkMark != before.WorkMark ? after.WorkMark : null,
            StartedAt = after.StartedAt != before.StartedAt ? after.StartedAt : null,
            CompletedAt = after.CompletedAt != before.CompletedAt ? after.CompletedAt : null,
            ExecutionSpan = after.ExecutionSpan != before.ExecutionSpan ? after.ExecutionSpan : null,
            PendingReview = ReferenceEquals(after.PendingReview, before.PendingReview) ? null : after.PendingReview,
            ClearReview = (before.PendingReview is not null && after.PendingReview is null) || (before.Review is not null && after.Review is null),
            ReleaseLease = (before.LeaseOwner is not null || before.LeaseExpiresAt is not null) && after.LeaseOwner is null && after.LeaseExpiresAt is null,
            LeaseOwner = leaseOwner,
        };
    }

    /// <summary>
    /// This update followed by <paramref name="later"/>, as one: what applying both in order leaves. A later value
    /// replaces an earlier one; clearing the review undoes an earlier pending review, and a later pending review survives
    /// an earlier clear. The lease fence of either applies.
    /// </summary>
    public RunUpdate Then(RunUpdate later) => new()
    {
        State = later.State ?? State,
        CurrentTask = later.CurrentTask ?? CurrentTask,
        CompletedTasks = later.CompletedTasks ?? CompletedTasks,
        Result = later.Result ?? Result,
        ResultJson = later.ResultJson ?? ResultJson,
        Error = later.Error ?? Error,
        Usage = later.Usage ?? Usage,
        Spent = later.Spent ?? Spent,
        Worked = later.Worked ?? Worked,
        WorkMark = later.WorkMark ?? WorkMark,
        StartedAt = later.StartedAt ?? StartedAt,
        CompletedAt = later.CompletedAt ?? CompletedAt,
        ExecutionSpan = later.ExecutionSpan ?? ExecutionSpan,
        PendingReview = later.PendingReview ?? (later.ClearReview ? null : PendingReview),
        ClearReview = ClearReview || later.ClearReview,
        ReleaseLease = ReleaseLease || later.ReleaseLease,
        LeaseOwner = later.LeaseOwner ?? LeaseOwner,
    };
}

/// <summary>
/// A stored event: its name and its <c>data</c> as <see cref="RunEventJson"/> wrote it when it was appended. Readers serve
/// the data as it is, so an event keeps the bytes it was stored with, whichever version of Muster stored it.
/// </summary>
public sealed record RunEventRecord(Guid RunId, long Sequence, string Type, DateTimeOffset Timestamp, string Data);

/// <summary>One event to append with the change it makes to the run and the webhook deliveries it causes.</summary>
public sealed record EventAppend(RunEvent Event, RunUpdate? Update, IReadOnlyList<NewDelivery> Deliveries);

public enum CreateRunOutcome
{
    Created,
    /// <summary>The same idempotency key from the same owner within 24 hours, for the same request: nothing new was stored.</summary>
    Duplicate,
    /// <summary>
    /// The same idempotency key from the same owner within 24 hours, for another crew or another body: nothing was stored,
    /// and the earlier run is not the caller's answer (answer 422).
    /// </summary>
    KeyReused,
    /// <summary>A run with the id the caller chose exists already (another request took it first): nothing was stored.</summary>
    IdTaken,
}

public sealed record CreateRunResult(CreateRunOutcome Outcome, Guid RunId);

/// <summary>A filtered, newest-first page of runs. The cursor is opaque to callers.</summary>
public sealed record RunQuery
{
    public RunState[]? States { get; init; }
    /// <summary>Runs of this deployed crew; ad-hoc runs never match, whatever name their request gave them.</summary>
    public string? CrewName { get; init; }
    public string? CorrelationId { get; init; }
    public string? OwnerId { get; init; }
    public DateTimeOffset? CreatedAfter { get; init; }
    public DateTimeOffset? CreatedBefore { get; init; }
    public int Limit { get; init; } = 100;
    /// <summary>Continue after this cursor (from <see cref="RunPage.NextCursor"/>).</summary>
    public string? Cursor { get; init; }
}

public sealed record RunPage(IReadOnlyList<RunRecord> Runs, string? NextCursor);

public enum ResumeOutcome
{
    Resumed,
    NotFound,
    NotAwaitingHuman,
}

public enum StopOutcome
{
    /// <summary>The run was pending or paused and is now stopped.</summary>
    Stopped,
    /// <summary>The run is executing; the node running it was asked to stop it.</summary>
    StopRequested,
    NotFound,
    AlreadyFinished,
}

public sealed record StopResult(StopOutcome Outcome, RunState State);

/// <summary>What a heartbeat learnt: the leases the node lost, and the held runs flagged to stop.</summary>
public sealed record LeaseRenewal(IReadOnlyList<Guid> Lost, IReadOnlyList<Guid> StopRequested);
