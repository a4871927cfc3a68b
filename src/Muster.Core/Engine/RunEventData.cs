using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Muster.Contracts;

namespace Muster.Core.Engine;

/// <summary>
/// What happened in a run: one sealed record per event type, in CrewAI's vocabulary. The hierarchy is closed (only
/// this assembly derives from it); <see cref="RunEventJson"/> writes each record as the event's <c>data</c> object and
/// names it (<see cref="Type"/>).
/// </summary>
public abstract record RunEventData
{
    private protected RunEventData()
    {
    }

    /// <summary>The event's CrewAI name (one of <see cref="RunEventTypes"/>), which travels beside <c>data</c>, not in it.</summary>
    [JsonIgnore]
    public string Type => RunEventJson.NameOf(this);
}

/// <summary><c>crew_kickoff_started</c>: a start of the run, fresh or continued from a checkpoint.</summary>
/// <param name="CrewName">The crew's name.</param>
/// <param name="Inputs">The run's inputs.</param>
/// <param name="TotalTasks">How many tasks the crew has.</param>
/// <param name="Resumed">True when the start continues from a checkpoint; written only then.</param>
public sealed record CrewKickoffStarted(
    string CrewName,
    JsonObject Inputs,
    int TotalTasks,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Resumed = false) : RunEventData;

/// <summary><c>crew_kickoff_completed</c>: every task finished.</summary>
/// <param name="Output">The last task's output.</param>
/// <param name="ResultJson">The last task's parsed <c>output_json</c> answer; null (written as null) when it has none.</param>
/// <param name="Usage">The run's usage (<c>token_usage</c>).</param>
/// <param name="ExecutionTime">Seconds of work, earlier starts of the run included.</param>
public sealed record CrewKickoffCompleted(
    string Output,
    JsonObject? ResultJson,
    [property: JsonPropertyName("token_usage")] TokenUsage Usage,
    double ExecutionTime) : RunEventData;

/// <summary><c>crew_kickoff_failed</c>: a task failed, the engine broke, or a stop request ended the run.</summary>
/// <param name="Error">Why (<c>Task 'x' failed: …</c>, or who stopped the run and when).</param>
/// <param name="Stopped">True when a stop request ended the run; written only then, right after <c>error</c>.</param>
/// <param name="Usage">The run's usage (<c>token_usage</c>).</param>
/// <param name="ExecutionTime">Seconds of work.</param>
public sealed record CrewKickoffFailed(
    string Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Stopped,
    [property: JsonPropertyName("token_usage")] TokenUsage Usage,
    double ExecutionTime) : RunEventData;

/// <summary><c>task_started</c>: a task begins.</summary>
public sealed record TaskStarted : RunEventData
{
    /// <summary>The task's name (its tasks.yaml key).</summary>
    public required string TaskName { get; init; }

    /// <summary>CrewAI's task id: the task's name.</summary>
    public string TaskId => TaskName;

    /// <summary>The role of the agent that performs it (a hierarchical crew's manager).</summary>
    public required string Agent { get; init; }

    /// <summary>The task's description as it runs.</summary>
    public required string Description { get; init; }
}

/// <summary><c>task_completed</c>: a task finished; its output is stored with the event.</summary>
/// <param name="TaskOutput">The finished task's output, which is also the event's data.</param>
public sealed record TaskCompleted([property: JsonIgnore] TaskOutput TaskOutput) : RunEventData
{
    /// <summary>The task's name.</summary>
    public string TaskName => TaskOutput.Name;

    /// <summary>CrewAI's task id: the task's name.</summary>
    public string TaskId => TaskOutput.Name;

    /// <summary>The role of the agent that did it.</summary>
    public string Agent => TaskOutput.Agent;

    /// <summary>The task's description as it ran.</summary>
    public string Description => TaskOutput.Description;

    /// <summary>The task's expected output as it ran.</summary>
    public string ExpectedOutput => TaskOutput.ExpectedOutput;

    /// <summary>CrewAI's summary of the task.</summary>
    public string Summary => TaskOutput.Summary;

    /// <summary>The answer as text.</summary>
    public string Output => TaskOutput.Raw;

    /// <summary>The parsed <c>output_json</c> answer; null (written as null) when the task has none.</summary>
    public JsonObject? OutputJson => TaskOutput.JsonDict;

    /// <summary>Seconds the task took.</summary>
    public double ExecutionTime => TaskOutput.ExecutionTimeSeconds;

    /// <summary>The task's usage (JSON <c>token_usage</c>).</summary>
    [JsonPropertyName("token_usage")]
    public TokenUsage Usage => TaskOutput.Usage;
}

/// <summary><c>task_failed</c>: a task failed, or was stopped because another task of the run failed.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The role of the agent that performed it.</param>
/// <param name="Error">Why.</param>
public sealed record TaskFailed(string TaskName, string Agent, string Error) : RunEventData;

/// <summary><c>task_awaiting_human</c>: a human-input task produced its output and the run pauses for review.</summary>
/// <param name="TaskOutput">The output awaiting review; the data carries its name, agent and text.</param>
public sealed record TaskAwaitingHuman([property: JsonIgnore] TaskOutput TaskOutput) : RunEventData
{
    /// <summary>The task's name.</summary>
    public string TaskName => TaskOutput.Name;

    /// <summary>CrewAI's task id: the task's name.</summary>
    public string TaskId => TaskOutput.Name;

    /// <summary>The role of the agent that did it.</summary>
    public string Agent => TaskOutput.Agent;

    /// <summary>The answer awaiting review.</summary>
    public string Output => TaskOutput.Raw;
}

/// <summary><c>agent_execution_started</c>: an agent starts on a task, or a co-worker on delegated work.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The agent's role.</param>
/// <param name="DelegatedBy">The delegating agent's role when a co-worker works on delegated work; written only then.</param>
public sealed record AgentExecutionStarted(
    string TaskName,
    string Agent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DelegatedBy = null) : RunEventData;

/// <summary><c>agent_execution_completed</c>: an agent's work is done.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The agent's role.</param>
/// <param name="DelegatedBy">The delegating agent's role for a co-worker; written only then.</param>
/// <param name="Output">The agent's answer.</param>
public sealed record AgentExecutionCompleted(
    string TaskName,
    string Agent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DelegatedBy,
    string Output) : RunEventData;

/// <summary><c>agent_execution_error</c>: an agent's work failed.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The agent's role.</param>
/// <param name="DelegatedBy">The delegating agent's role for a co-worker; written only then.</param>
/// <param name="Error">Why.</param>
public sealed record AgentExecutionError(
    string TaskName,
    string Agent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DelegatedBy,
    string Error) : RunEventData;

/// <summary><c>llm_call_started</c>: an LLM call begins.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The calling agent's role.</param>
/// <param name="Model">The model reference (<c>provider/model</c>).</param>
public sealed record LlmCallStarted(string TaskName, string Agent, string Model) : RunEventData;

/// <summary><c>llm_call_completed</c>: an LLM call answered.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The calling agent's role.</param>
/// <param name="Model">The model reference.</param>
/// <param name="Usage">The call's usage (<c>token_usage</c>).</param>
public sealed record LlmCallCompleted(
    string TaskName,
    string Agent,
    string Model,
    [property: JsonPropertyName("token_usage")] TokenUsage Usage) : RunEventData;

/// <summary><c>llm_call_failed</c>: an LLM call failed, its retries spent.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The calling agent's role.</param>
/// <param name="Model">The model reference.</param>
/// <param name="Error">Why.</param>
public sealed record LlmCallFailed(string TaskName, string Agent, string Model, string Error) : RunEventData;

/// <summary><c>tool_usage_started</c>: a tool call begins.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The calling agent's role.</param>
/// <param name="ToolName">The tool's name as CrewAI users know it.</param>
/// <param name="ToolArgs">The arguments the model gave, a JSON object.</param>
public sealed record ToolUsageStarted(string TaskName, string Agent, string ToolName, JsonElement ToolArgs) : RunEventData;

/// <summary><c>tool_usage_finished</c>: a tool call returned.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The calling agent's role.</param>
/// <param name="ToolName">The tool's name.</param>
/// <param name="ToolArgs">The arguments, a JSON object.</param>
/// <param name="Output">What the tool returned, as text.</param>
public sealed record ToolUsageFinished(string TaskName, string Agent, string ToolName, JsonElement ToolArgs, string Output) : RunEventData;

/// <summary><c>tool_usage_error</c>: a tool call failed; the agent reads the error and goes on.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The calling agent's role.</param>
/// <param name="ToolName">The tool's name.</param>
/// <param name="ToolArgs">The arguments, a JSON object.</param>
/// <param name="Error">Why.</param>
public sealed record ToolUsageError(string TaskName, string Agent, string ToolName, JsonElement ToolArgs, string Error) : RunEventData;

/// <summary><c>output_validation_failed</c> (Muster's): an answer did not satisfy the task's <c>output_json</c> and is sent back.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The agent's role.</param>
/// <param name="Attempt">1, 2, …</param>
/// <param name="Errors">What did not fit the schema.</param>
/// <param name="Output">The answer that did not fit.</param>
public sealed record OutputValidationFailed(string TaskName, string Agent, int Attempt, IReadOnlyList<string> Errors, string Output) : RunEventData;

/// <summary><c>llm_guardrail_started</c>: a guardrail starts checking a task's output.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Guardrail">The rule, or the registered function's name.</param>
/// <param name="Kind"><c>llm</c> or <c>function</c>.</param>
/// <param name="RetryCount">How many times the task was redone for its guardrail before this check.</param>
public sealed record LlmGuardrailStarted(string TaskName, string Guardrail, string Kind, int RetryCount) : RunEventData;

/// <summary>
/// <c>llm_guardrail_completed</c>: a guardrail's verdict. Its data has <c>result</c> on success and <c>error</c> (null when
/// the guardrail gave no reason) on failure, never both, as CrewAI's event does.
/// </summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Success">Whether the output passed.</param>
/// <param name="Result">The output that passed; written on success.</param>
/// <param name="Error">The guardrail's feedback; written on failure.</param>
/// <param name="RetryCount">How many times the task was redone for its guardrail before this check.</param>
[JsonConverter(typeof(LlmGuardrailCompletedJsonConverter))]
public sealed record LlmGuardrailCompleted(string TaskName, bool Success, string? Result, string? Error, int RetryCount) : RunEventData;

/// <summary><c>agent_step</c> (Muster's): an agent's thought or action, with the step webhook's fields.</summary>
/// <param name="TaskName">The task's name.</param>
/// <param name="Agent">The agent's role.</param>
/// <param name="Prompt">The task prompt the agent works on.</param>
/// <param name="Thought">What the model said.</param>
/// <param name="Tool">The tool used; empty for a final answer.</param>
/// <param name="ToolInput">The tool's arguments as JSON text; empty for a final answer.</param>
/// <param name="Result">The tool's result, or the final answer.</param>
public sealed record AgentStep(string TaskName, string Agent, string Prompt, string Thought, string Tool, string ToolInput, string Result) : RunEventData;

/// <summary>
/// <c>crew_budget_exceeded</c> (Muster's): the run reached a limit of its budget and stops; <c>crew_kickoff_failed</c> follows
/// with the same error.
/// </summary>
/// <param name="Budget">Which limit: <c>max_total_tokens</c>, <c>max_cost_usd</c>, <c>max_llm_calls</c> or <c>max_duration</c>.</param>
/// <param name="Limit">The limit (tokens, US dollars, calls or seconds).</param>
/// <param name="Spent">What the run had spent in the same unit; null when a cost is unknown (a model without a price).</param>
/// <param name="Error">The run's error: <c>Budget exceeded: 10,412 of 10,000 tokens</c>.</param>
public sealed record CrewBudgetExceeded(string Budget, decimal Limit, decimal? Spent, string Error) : RunEventData;
