namespace Muster.Core.Engine;

/// <summary>
/// Something that happened in a run: its place in the run (id, sequence, time) and what happened (<see cref="Data"/>).
/// Sequence numbers are run-wide, start at 1 and never repeat, across restarts too.
/// </summary>
public sealed record RunEvent
{
    /// <summary>The run (kickoff) the event belongs to.</summary>
    public required Guid RunId { get; init; }
    /// <summary>The event's number in its run: 1, 2, … without gaps, continued after <see cref="RunCheckpoint.LastSequence"/>.</summary>
    public required long Sequence { get; init; }
    /// <summary>When the engine emitted the event, in UTC (from its <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>What happened: one of the records derived from <see cref="RunEventData"/>, written as the event's <c>data</c>.</summary>
    public required RunEventData Data { get; init; }
    /// <summary>The event's CrewAI name, one of <see cref="RunEventTypes"/>.</summary>
    public string Type => Data.Type;
}

/// <summary>Event type names (CrewAI's, plus Muster's <c>agent_step</c>, <c>task_awaiting_human</c> and <c>output_validation_failed</c>).</summary>
public static class RunEventTypes
{
    /// <summary>A start of the run; data: crew_name, inputs, total_tasks, and resumed: true when it continues from a checkpoint.</summary>
    public const string CrewKickoffStarted = "crew_kickoff_started";
    /// <summary>The run finished; data: output, result_json (the last task's parsed <c>output_json</c>, or null), token_usage, execution_time.</summary>
    public const string CrewKickoffCompleted = "crew_kickoff_completed";
    /// <summary>The run failed, or was stopped; data: error, token_usage, execution_time, and stopped: true when a stop request ended it.</summary>
    public const string CrewKickoffFailed = "crew_kickoff_failed";
    /// <summary>A task begins; data: task_name, task_id (the same), agent (the performer's role), description.</summary>
    public const string TaskStarted = "task_started";
    /// <summary>
    /// A task finished; data: task_name, task_id, agent, description, expected_output, summary, output, output_json,
    /// execution_time, token_usage. The event carries the <see cref="TaskOutput"/>.
    /// </summary>
    public const string TaskCompleted = "task_completed";
    /// <summary>A task failed, or was stopped because another task of the run failed; data: task_name, agent, error.</summary>
    public const string TaskFailed = "task_failed";
    /// <summary>An agent starts on a task, or a co-worker on delegated work (data then has delegated_by); data: task_name, agent.</summary>
    public const string AgentExecutionStarted = "agent_execution_started";
    /// <summary>An agent's work is done; data: task_name, agent, output (and delegated_by for a co-worker).</summary>
    public const string AgentExecutionCompleted = "agent_execution_completed";
    /// <summary>An agent's work failed; data: task_name, agent, error (and delegated_by for a co-worker).</summary>
    public const string AgentExecutionError = "agent_execution_error";
    /// <summary>An LLM call begins; data: task_name, agent, model.</summary>
    public const string LlmCallStarted = "llm_call_started";
    /// <summary>An LLM call answered; data: task_name, agent, model, and the call's token_usage.</summary>
    public const string LlmCallCompleted = "llm_call_completed";
    /// <summary>An LLM call failed, its retries spent; data: task_name, agent, model, error.</summary>
    public const string LlmCallFailed = "llm_call_failed";
    /// <summary>A tool call begins; data: task_name, agent, tool_name, tool_args.</summary>
    public const string ToolUsageStarted = "tool_usage_started";
    /// <summary>A tool call returned; data: task_name, agent, tool_name, tool_args, output.</summary>
    public const string ToolUsageFinished = "tool_usage_finished";
    /// <summary>A tool call failed (the agent reads the error and goes on); data: task_name, agent, tool_name, tool_args, error.</summary>
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
    /// <summary>Muster's: the run reached a limit of its budget and stops; data: budget (which limit), limit, spent, error.</summary>
    public const string CrewBudgetExceeded = "crew_budget_exceeded";
}

/// <summary>Where the engine sends everything it does. The server implements it on the run store.</summary>
public interface IRunSink
{
    /// <summary>
    /// Records an event; a <see cref="TaskCompleted"/> event's task output is stored with it. A task's outcome, a pause for
    /// review and the run's end are durable when this returns; a sink may hold progress events briefly and record them,
    /// in order, with the next ones. An exception means the event could not be recorded: the engine stops driving the run
    /// and throws it on as a <see cref="RunSinkException"/>, never as a failure of a task or of the crew.
    /// </summary>
    ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken);
}

/// <summary>
/// The run's sink could not record an event (its store failed, or another node owns the run now). The run has neither
/// failed nor finished: the engine stopped driving it, and whoever runs it next continues from what was recorded.
/// </summary>
public sealed class RunSinkException(Exception innerException)
    : Exception("The run's events could not be recorded: " + innerException.Message, innerException)
{
    /// <summary>True when <paramref name="exception"/> is, or directly wraps, a sink failure (a tool invocation may wrap it).</summary>
    public static bool IsIn(Exception exception) => exception is RunSinkException || exception.InnerException is RunSinkException;
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
