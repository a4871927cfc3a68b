using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Costs;

namespace Muster.Core.Engine;

/// <summary>The output of one finished task (CrewAI's TaskOutput).</summary>
public sealed record TaskOutput
{
    /// <summary>The task's name (its tasks.yaml key).</summary>
    public required string Name { get; init; }
    /// <summary>The task's description as it ran (placeholders filled).</summary>
    public required string Description { get; init; }
    /// <summary>The task's expected output as it ran (placeholders filled).</summary>
    public required string ExpectedOutput { get; init; }
    /// <summary>CrewAI's summary: the first ten words of the description and "...".</summary>
    public required string Summary { get; init; }
    /// <summary>The agent's final answer as text.</summary>
    public required string Raw { get; init; }
    /// <summary>The parsed structured output when the task has <c>output_json</c>.</summary>
    public JsonObject? JsonDict { get; init; }
    /// <summary>The role of the agent that did the task.</summary>
    public required string Agent { get; init; }
    /// <summary>Seconds from the task's start to its accepted answer, guardrail and <c>output_json</c> retries included.</summary>
    public double ExecutionTimeSeconds { get; init; }
    /// <summary>
    /// The task's LLM usage, including its co-workers' delegated work, <c>output_json</c> retries, guardrail checks and the
    /// attempts a human reviewer rejected.
    /// </summary>
    public TokenUsage Usage { get; init; } = TokenUsage.Zero;
}

/// <summary>The output of a finished crew (CrewAI's CrewOutput).</summary>
public sealed record CrewOutput
{
    /// <summary>The output of the crew's last task.</summary>
    public required string Raw { get; init; }
    /// <summary>The last task's parsed <c>output_json</c> answer; null when it has none.</summary>
    public JsonObject? JsonDict { get; init; }
    /// <summary>Every task's output, in crew order.</summary>
    public required IReadOnlyList<TaskOutput> TasksOutput { get; init; }
    /// <summary>The sum of the tasks' usage.</summary>
    public required TokenUsage Usage { get; init; }
    /// <summary>Seconds of work: the task times recorded by earlier starts of the run plus the time of this start.</summary>
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
    /// <summary>A fresh run: nothing done yet.</summary>
    public static readonly RunCheckpoint Empty = new();

    /// <summary>Outputs of finished (and, for human-input tasks, approved) tasks.</summary>
    public IReadOnlyList<TaskOutput> CompletedTasks { get; init; } = [];
    /// <summary>The last event sequence recorded; the engine numbers its events from the next one.</summary>
    public long LastSequence { get; init; }
    /// <summary>A task awaiting review and its produced output, when the run paused.</summary>
    public TaskOutput? PendingReview { get; init; }
    /// <summary>The reviewer's answer to <see cref="PendingReview"/>: approve accepts it; reject reruns the task with the feedback.</summary>
    public HumanReview? Review { get; init; }
    /// <summary>
    /// What the run recorded before, in bytes of JSON (its inputs and meta, and its events' data), which counts towards
    /// <see cref="CrewEngineOptions.MaxRunBytes"/>.
    /// </summary>
    public long RecordedBytes { get; init; }
    /// <summary>What the run's stored LLM calls spent, every start included: its budget counts from here.</summary>
    public RunSpend Spent { get; init; } = RunSpend.Zero;
    /// <summary>The time earlier starts worked (time paused for review or waiting for a node not counted): <c>max_duration</c> counts from here.</summary>
    public TimeSpan Worked { get; init; }
}

/// <summary>How a call to the engine ended.</summary>
public enum RunOutcomeKind
{
    /// <summary>Every task finished; <see cref="RunOutcome.Output"/> holds the crew's output.</summary>
    Completed,
    /// <summary>A task failed; <see cref="RunOutcome.Error"/> says which and why.</summary>
    Failed,
    /// <summary>The cancellation token was cancelled (a stop or a shutdown); the engine emitted nothing more.</summary>
    Stopped,
    /// <summary>A <c>human_input</c> task produced its output, which waits for review in <see cref="RunOutcome.PendingReview"/>.</summary>
    AwaitingHuman,
}

/// <summary>The result of <see cref="ICrewEngine.RunAsync"/>.</summary>
public sealed record RunOutcome
{
    /// <summary>How the call ended.</summary>
    public required RunOutcomeKind Kind { get; init; }
    /// <summary>The crew's output when <see cref="RunOutcomeKind.Completed"/>; otherwise null.</summary>
    public CrewOutput? Output { get; init; }
    /// <summary>Why the run failed (<c>Task 'x' failed: …</c>), or a fixed message when it was stopped; otherwise null.</summary>
    public string? Error { get; init; }
    /// <summary>The task output awaiting human review when <see cref="Kind"/> is <see cref="RunOutcomeKind.AwaitingHuman"/>.</summary>
    public TaskOutput? PendingReview { get; init; }
}
