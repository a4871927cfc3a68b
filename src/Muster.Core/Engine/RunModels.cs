using System.Text.Json.Nodes;

namespace Muster.Core.Engine;

/// <summary>Token usage in CrewAI's UsageMetrics terms. Immutable; add with <c>+</c>.</summary>
public sealed record TokenUsage(
    long PromptTokens = 0,
    long CompletionTokens = 0,
    long CachedPromptTokens = 0,
    long SuccessfulRequests = 0)
{
    public static readonly TokenUsage Zero = new();
    public long TotalTokens => PromptTokens + CompletionTokens;

    public static TokenUsage operator +(TokenUsage a, TokenUsage b) => new(
        a.PromptTokens + b.PromptTokens,
        a.CompletionTokens + b.CompletionTokens,
        a.CachedPromptTokens + b.CachedPromptTokens,
        a.SuccessfulRequests + b.SuccessfulRequests);
}

/// <summary>The output of one finished task (CrewAI's TaskOutput).</summary>
public sealed record TaskOutput
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string ExpectedOutput { get; init; }
    public required string Summary { get; init; }
    public required string Raw { get; init; }
    /// <summary>The parsed structured output when the task has <c>output_json</c>.</summary>
    public JsonObject? JsonDict { get; init; }
    /// <summary>The role of the agent that did the task.</summary>
    public required string Agent { get; init; }
    public double ExecutionTimeSeconds { get; init; }
    public TokenUsage Usage { get; init; } = TokenUsage.Zero;
}

/// <summary>The output of a finished crew (CrewAI's CrewOutput).</summary>
public sealed record CrewOutput
{
    public required string Raw { get; init; }
    public JsonObject? JsonDict { get; init; }
    public required IReadOnlyList<TaskOutput> TasksOutput { get; init; }
    public required TokenUsage Usage { get; init; }
    public double ExecutionTimeSeconds { get; init; }
}

/// <summary>A reviewer's answer to a task that paused for human input.</summary>
public sealed record HumanReview(string TaskName, string Feedback, bool Approved);

/// <summary>
/// What a run has already done: the engine starts at the first task without a completed output
/// and never runs a completed task again. Fresh runs use <see cref="Empty"/>.
/// </summary>
public sealed record RunCheckpoint
{
    public static readonly RunCheckpoint Empty = new();

    /// <summary>Outputs of finished (and, for human-input tasks, approved) tasks.</summary>
    public IReadOnlyList<TaskOutput> CompletedTasks { get; init; } = [];
    /// <summary>The last event sequence recorded; the engine numbers its events from the next one.</summary>
    public long LastSequence { get; init; }
    /// <summary>A task awaiting review and its produced output, when the run paused.</summary>
    public TaskOutput? PendingReview { get; init; }
    /// <summary>The reviewer's answer to <see cref="PendingReview"/>: approve accepts it; reject reruns the task with the feedback.</summary>
    public HumanReview? Review { get; init; }
}

/// <summary>How a call to the engine ended.</summary>
public enum RunOutcomeKind
{
    Completed,
    Failed,
    Stopped,
    AwaitingHuman,
}

/// <summary>The result of <see cref="ICrewEngine.RunAsync"/>.</summary>
public sealed record RunOutcome
{
    public required RunOutcomeKind Kind { get; init; }
    public CrewOutput? Output { get; init; }
    public string? Error { get; init; }
    /// <summary>The task output awaiting human review when <see cref="Kind"/> is <see cref="RunOutcomeKind.AwaitingHuman"/>.</summary>
    public TaskOutput? PendingReview { get; init; }
}
