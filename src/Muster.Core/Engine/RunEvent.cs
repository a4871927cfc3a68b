using System.Text.Json.Nodes;

namespace Muster.Core.Engine;

/// <summary>
/// Something that happened in a run, in CrewAI's event vocabulary (<see cref="RunEventTypes"/>).
/// Sequence numbers are run-wide, start at 1 and never repeat, across restarts too.
/// </summary>
public sealed record RunEvent
{
    public required Guid RunId { get; init; }
    public required long Sequence { get; init; }
    public required string Type { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required JsonObject Data { get; init; }
    /// <summary>Set on <c>task_completed</c>: the finished task's output, stored with the event in one transaction.</summary>
    public TaskOutput? TaskOutput { get; init; }
}

/// <summary>Event type names (CrewAI's, plus Muster's <c>agent_step</c>, <c>task_awaiting_human</c> and <c>output_validation_failed</c>).</summary>
public static class RunEventTypes
{
    public const string CrewKickoffStarted = "crew_kickoff_started";
    public const string CrewKickoffCompleted = "crew_kickoff_completed";
    public const string CrewKickoffFailed = "crew_kickoff_failed";
    public const string TaskStarted = "task_started";
    public const string TaskCompleted = "task_completed";
    public const string TaskFailed = "task_failed";
    public const string AgentExecutionStarted = "agent_execution_started";
    public const string AgentExecutionCompleted = "agent_execution_completed";
    public const string AgentExecutionError = "agent_execution_error";
    public const string LlmCallStarted = "llm_call_started";
    public const string LlmCallCompleted = "llm_call_completed";
    public const string LlmCallFailed = "llm_call_failed";
    public const string ToolUsageStarted = "tool_usage_started";
    public const string ToolUsageFinished = "tool_usage_finished";
    public const string ToolUsageError = "tool_usage_error";
    /// <summary>A guardrail (an LLM-checked rule or a registered function) starts checking a task's output.</summary>
    public const string LlmGuardrailStarted = "llm_guardrail_started";
    /// <summary>A guardrail's verdict; data: success, result or error (its feedback), retry_count.</summary>
    public const string LlmGuardrailCompleted = "llm_guardrail_completed";
    /// <summary>Muster's: an answer did not satisfy the task's <c>output_json</c>; data: attempt, errors. The model is asked again.</summary>
    public const string OutputValidationFailed = "output_validation_failed";
    /// <summary>An agent thought or action; data carries the step webhook's fields: prompt, thought, tool, tool_input, result.</summary>
    public const string AgentStep = "agent_step";
    /// <summary>A human-input task produced its output and the run pauses; data: task_id, output.</summary>
    public const string TaskAwaitingHuman = "task_awaiting_human";
}

/// <summary>Where the engine sends everything it does. The server implements it on the run store.</summary>
public interface IRunSink
{
    /// <summary>
    /// Records an event; a <c>task_completed</c> event's task output is stored with it. A task's outcome, a pause for
    /// review and the run's end are durable when this returns; a sink may hold progress events briefly and record them,
    /// in order, with the next ones.
    /// </summary>
    ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken);
}

/// <summary>Runs a crew from a checkpoint until it completes, fails, is cancelled (stopped) or pauses for a human.</summary>
public interface ICrewEngine
{
    /// <param name="runId">The run (kickoff) id, carried by every event.</param>
    /// <param name="crew">The interpolated crew snapshot.</param>
    /// <param name="checkpoint">What the run already did (<see cref="RunCheckpoint.Empty"/> for a fresh run).</param>
    /// <param name="sink">Receives every event, in sequence order.</param>
    /// <param name="cancellationToken">Cancelling stops the run promptly, even inside an LLM call; the outcome is then <see cref="RunOutcomeKind.Stopped"/>.</param>
    Task<RunOutcome> RunAsync(Guid runId, Crews.CrewDefinition crew, RunCheckpoint checkpoint, IRunSink sink, CancellationToken cancellationToken);
}
