using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Muster.Contracts.Runs;

/// <summary>An agent of a <see cref="CrewConfig"/> (the crew-runs spec's AgentConfig, plus the model Muster used).</summary>
public sealed record AgentConfig
{
    /// <summary>
    /// The agent's key. In a request optional (1 to 64 letters, digits, <c>_</c> or <c>-</c>, starting with a letter or <c>_</c>;
    /// unique), default <c>agent_{index}</c>. In a run record always set: the agents.yaml key of a deployed crew's agent.
    /// </summary>
    [JsonPropertyName("id")] public string? Id { get; init; }
    /// <summary>
    /// Who the agent is; co-workers and the <c>agent</c> of task results name it by this. Required in a request (at most
    /// <c>Muster:AdHocCrews:MaxFieldLength</c> characters, 20,000 by default); in a run record, with the run's inputs filled in.
    /// </summary>
    [JsonPropertyName("role")] public string? Role { get; init; }
    /// <summary>The agent's personal goal. Required in a request (same length limit as <c>role</c>); in a run record, with the run's inputs filled in.</summary>
    [JsonPropertyName("goal")] public string? Goal { get; init; }
    /// <summary>The agent's backstory. Required in a request (same length limit as <c>role</c>); in a run record, with the run's inputs filled in.</summary>
    [JsonPropertyName("backstory")] public string? Backstory { get; init; }
    /// <summary>Accepted and echoed for CrewAI compatibility; it changes nothing in Muster. Default false.</summary>
    [JsonPropertyName("verbose")] public bool Verbose { get; init; }
    /// <summary>
    /// JSON <c>allow_delegation</c>: gives the agent CrewAI's two delegation tools towards every other agent of the crew
    /// (in a sequential crew; a hierarchical crew's manager delegates anyway). Default false.
    /// </summary>
    [JsonPropertyName("allow_delegation")] public bool AllowDelegation { get; init; }
    /// <summary>
    /// Names of the tools the agent may call: the built-in <c>calculator</c>, <c>http_fetch</c>, <c>current_time</c>, or one
    /// the host registered; an unknown name is a 422 in a request. A task's own <c>tools</c> replace these for that task.
    /// </summary>
    [JsonPropertyName("tools")] public IReadOnlyList<string>? Tools { get; init; }
    /// <summary>
    /// JSON <c>use_default_mcps</c>: also gives the agent the tools of the MCP servers configured on the server
    /// (<c>Muster:Mcp:Servers</c>). Default false.
    /// </summary>
    [JsonPropertyName("use_default_mcps")] public bool UseDefaultMcps { get; init; }
    /// <summary>
    /// The model, <c>provider/model</c> (a bare name means <c>openai</c>). In a request optional: absent uses the server's
    /// <c>Muster:Llm:DefaultModel</c>, and a model missing from a non-empty <c>Muster:AdHocCrews:AllowedModels</c> is a 422.
    /// In a run record, the agent's model, else the crew's; absent when neither names one (the server's default was used).
    /// </summary>
    [JsonPropertyName("llm")] public string? Llm { get; init; }
    /// <summary>
    /// JSON <c>max_iter</c>: how many LLM turns (each with its tool calls) the agent gets before it is told to give its final
    /// answer. In a request 1 to 100, default 25; always set in a run record.
    /// </summary>
    [JsonPropertyName("max_iter")] public int? MaxIter { get; init; }
    /// <summary>
    /// Muster's extension: MCP servers of an ad-hoc crew's agent, as in agents.yaml but HTTP only (a URL, or an object with
    /// url, transport, headers, tool_filter). Not echoed in run records, since headers may hold keys.
    /// </summary>
    [JsonPropertyName("mcps")] public IReadOnlyList<JsonNode?>? Mcps { get; init; }
}

/// <summary>A task of a <see cref="CrewConfig"/>; <see cref="AgentIndex"/> points into the crew's agents.</summary>
public sealed record TaskConfig
{
    /// <summary>
    /// The task's name (its key in tasks.yaml): the <c>task_id</c> of status results and what <c>context</c> refers to. In a
    /// request optional (the same rule as an agent's <c>id</c>; unique), default <c>task_{index}</c>.
    /// </summary>
    [JsonPropertyName("name")] public string? Name { get; init; }
    /// <summary>What the task asks. Required in a request (same length limit as an agent's <c>role</c>); in a run record, with the run's inputs filled in.</summary>
    [JsonPropertyName("description")] public string? Description { get; init; }
    /// <summary>
    /// JSON <c>agent_index</c>: the zero-based index, in the crew's <c>agents</c>, of the agent that performs the task. Required
    /// in a sequential crew; optional in a hierarchical one, where it limits whom the manager may delegate the task to. <c>null</c>
    /// in a run record when the task names no agent (the spec's TaskConfig always has the field).
    /// </summary>
    [JsonPropertyName("agent_index")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? AgentIndex { get; init; }
    /// <summary>JSON <c>expected_output</c>: what a good answer looks like. Required in a request; in a run record, with the run's inputs filled in.</summary>
    [JsonPropertyName("expected_output")] public string? ExpectedOutput { get; init; }
    /// <summary>Tool names for this task only; when not empty they replace the agent's <c>tools</c>.</summary>
    [JsonPropertyName("tools")] public IReadOnlyList<string>? Tools { get; init; }
    /// <summary>JSON <c>human_input</c>: when true the run pauses after this task until <c>POST /resume</c> approves its output or sends it back.</summary>
    [JsonPropertyName("human_input")] public bool HumanInput { get; init; }
    /// <summary>
    /// Names of earlier tasks whose outputs this task sees; null or absent means every earlier task (CrewAI's default), an empty
    /// list none. A name that is not an earlier task is a 422.
    /// </summary>
    [JsonPropertyName("context")] public IReadOnlyList<string>? Context { get; init; }
}

/// <summary>The crew that ran: the crew-runs spec's CrewConfig.</summary>
public sealed record CrewConfig
{
    /// <summary>
    /// The crew's name. In a request optional (the same rule as an agent's <c>id</c>), default <c>custom</c>; in a run record
    /// the name the run went by (a deployed crew's is also its <c>crew_type</c>).
    /// </summary>
    [JsonPropertyName("id")] public string? Id { get; init; }
    /// <summary>
    /// Required in a request: 1 to <c>Muster:AdHocCrews:MaxAgents</c> (10 by default). A deployed hierarchical crew's
    /// <c>manager_agent</c> is not among them.
    /// </summary>
    [JsonPropertyName("agents")] public IReadOnlyList<AgentConfig>? Agents { get; init; }
    /// <summary>Required in a request: 1 to <c>Muster:AdHocCrews:MaxTasks</c> (20 by default), in execution order.</summary>
    [JsonPropertyName("tasks")] public IReadOnlyList<TaskConfig>? Tasks { get; init; }
    /// <summary>Accepted and echoed for CrewAI compatibility; it changes nothing in Muster. Default false.</summary>
    [JsonPropertyName("verbose")] public bool Verbose { get; init; }
    /// <summary>
    /// <c>sequential</c> (the default when absent) or <c>hierarchical</c>; anything else is a 422. An ad-hoc hierarchical crew is
    /// managed by Muster's built-in manager on the server's default model. Always set in a run record.
    /// </summary>
    [JsonPropertyName("process")] public string? Process { get; init; }
}

/// <summary>Token usage of one task of a run.</summary>
public sealed record TaskUsageRecord
{
    /// <summary>The task's name.</summary>
    [JsonPropertyName("task")] public required string Task { get; init; }
    /// <summary>The role of the agent that performed the task (in a hierarchical crew, the manager's), as the crew writes it (not trimmed).</summary>
    [JsonPropertyName("agent")] public required string Agent { get; init; }
    /// <summary>The task's final answer as the agent gave it.</summary>
    [JsonPropertyName("output")] public string? Output { get; init; }
    /// <summary>JSON <c>execution_time</c>: seconds the task took, guardrail and <c>output_json</c> retries included (not rounded).</summary>
    [JsonPropertyName("execution_time")] public double ExecutionTime { get; init; }
    /// <summary>JSON <c>token_usage</c>: the task's LLM usage, including its co-workers' delegated work, <c>output_json</c> retries and guardrail checks.</summary>
    [JsonPropertyName("token_usage")] public required TokenUsage TokenUsage { get; init; }
}

/// <summary>
/// The persistent crew run record of <c>GET /api/crew-runs/{run_id}</c>. As in the spec's model, <c>crew_type</c>,
/// <c>result</c>, <c>error</c>, <c>started_at</c> and <c>completed_at</c> are always present, <c>null</c> when empty (Python clients
/// index them directly); Muster's additions <c>token_usage</c> and <c>tasks</c> are left out when absent.
/// </summary>
public sealed record CrewRunRecord
{
    /// <summary>The run's id (a UUID): the same value as the AMP <c>kickoff_id</c>.</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary>
    /// JSON <c>correlation_id</c>: the <c>x-correlation-id</c> header sent when the run was created, else one Muster generated
    /// (32 hex digits).
    /// </summary>
    [JsonPropertyName("correlation_id")] public required string CorrelationId { get; init; }
    /// <summary>JSON <c>owner_id</c>: who started the run: a user token's <c>user_id</c>, or <c>org:{token id}</c> for an organization token.</summary>
    [JsonPropertyName("owner_id")] public required string OwnerId { get; init; }
    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c> or <c>failed</c>.</summary>
    /// <remarks>A run paused for human review is <c>running</c>; a stopped run is <c>failed</c>, with <see cref="Error"/> saying who stopped it.</remarks>
    [JsonPropertyName("status")] public required string Status { get; init; }
    /// <summary>JSON <c>created_at</c>: when the run was stored at kickoff, UTC ISO 8601 with a <c>Z</c> (e.g. <c>2025-05-01T12:00:00.1230000Z</c>).</summary>
    [JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    /// <summary>JSON <c>crew_type</c>: the deployed crew's name (also for runs started with <c>POST /kickoff</c>); <c>null</c> for ad-hoc crews.</summary>
    [JsonPropertyName("crew_type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? CrewType { get; init; }
    /// <summary>JSON <c>crew_config</c>: the crew as it ran, with the run's inputs filled in; agents' <c>mcps</c> are never echoed.</summary>
    [JsonPropertyName("crew_config")] public CrewConfig? CrewConfig { get; init; }
    /// <summary>JSON <c>task_input</c>: the inputs the run was started with (the kickoff's <c>inputs</c>; <c>{}</c> when a crew-runs request sent none).</summary>
    [JsonPropertyName("task_input")] public JsonObject? TaskInput { get; init; }
    /// <summary>The final output (the crew's last task's output) once <c>completed</c>; <c>null</c> otherwise.</summary>
    [JsonPropertyName("result")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Result { get; init; }
    /// <summary>Once <c>failed</c>: why (<c>Task 'write' failed: …</c>) or who stopped it (<c>Stopped by {owner_id} at {UTC time}</c>); <c>null</c> otherwise.</summary>
    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Error { get; init; }
    /// <summary>JSON <c>started_at</c>: when execution first began, UTC ISO 8601; <c>null</c> while pending, and for a run stopped before it began.</summary>
    [JsonPropertyName("started_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StartedAt { get; init; }
    /// <summary>JSON <c>completed_at</c>: when the run completed, failed or was stopped, UTC ISO 8601; <c>null</c> until then.</summary>
    [JsonPropertyName("completed_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? CompletedAt { get; init; }
    /// <summary>JSON <c>token_usage</c> (Muster addition): the run's LLM usage, updated as each task finishes and when the run ends.</summary>
    [JsonPropertyName("token_usage")] public TokenUsage? TokenUsage { get; init; }
    /// <summary>
    /// Muster addition: the finished tasks with their usage, in the order they finished. Only <c>GET /api/crew-runs/{id}</c>
    /// fills it; absent in the list.
    /// </summary>
    [JsonPropertyName("tasks")] public IReadOnlyList<TaskUsageRecord>? Tasks { get; init; }
    /// <summary>
    /// Muster addition: the agent protocol that started the run, <c>mcp</c>, <c>a2a</c> or <c>ag-ui</c>; absent for a run
    /// started through AMP or this API.
    /// </summary>
    [JsonPropertyName("protocol")] public string? Protocol { get; init; }
}

/// <summary><c>POST /api/crews/run</c> body.</summary>
public sealed record RunCrewRequest
{
    /// <summary>JSON <c>crew_type</c>, required: the name of a deployed crew (<c>GET /api/crews</c> lists those the token covers); 404 when unknown.</summary>
    [JsonPropertyName("crew_type")] public string? CrewType { get; init; }
    /// <summary>
    /// JSON <c>task_input</c>: a value for each of the crew's inputs (a 422 names <c>task_input.{name}</c> for each absent or null
    /// one); absent means <c>{}</c>.
    /// </summary>
    [JsonPropertyName("task_input")] public JsonObject? TaskInput { get; init; }
}

/// <summary><c>POST /api/crews/run/custom</c> body.</summary>
public sealed record RunCustomCrewRequest
{
    /// <summary>
    /// JSON <c>crew_config</c>, required: the crew to run, checked as strictly as a YAML crew; every problem comes back at once in a
    /// 422, each with its path.
    /// </summary>
    [JsonPropertyName("crew_config")] public CrewConfig? CrewConfig { get; init; }
    /// <summary>JSON <c>task_input</c>: values for the crew's placeholders (<c>{name}</c> in a role, goal, backstory, description or expected output).</summary>
    [JsonPropertyName("task_input")] public JsonObject? TaskInput { get; init; }
}

/// <summary>Answer of both run endpoints.</summary>
public sealed record RunCreatedResponse
{
    /// <summary>
    /// The new run's id (a UUID), the <c>{id}</c> of <c>/api/crew-runs/{id}</c>; a deployed crew's run is also reachable as
    /// <c>kickoff_id</c> on that crew's AMP routes. A repeated <c>Idempotency-Key</c> answers the first run's id.
    /// </summary>
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary>
    /// JSON <c>correlation_id</c>: the run's, i.e. the <c>x-correlation-id</c> header sent, or the one generated (the
    /// response carries the request's in that header too). A repeated <c>Idempotency-Key</c> answers the first run's.
    /// </summary>
    [JsonPropertyName("correlation_id")] public required string CorrelationId { get; init; }
    /// <summary>
    /// <c>pending</c>: the run is stored and waits for a worker. When a repeated <c>Idempotency-Key</c> answers an earlier
    /// run, that run's status as it stands (<c>pending</c>, <c>running</c>, <c>completed</c> or <c>failed</c>).
    /// </summary>
    [JsonPropertyName("status")] public required string Status { get; init; }
    /// <summary>A sentence for people, e.g. <c>Run of crew 'research' queued</c>.</summary>
    [JsonPropertyName("message")] public required string Message { get; init; }
}

/// <summary>One event of a run, in CrewAI's vocabulary, with its run-wide sequence number.</summary>
public sealed record RunEventDto
{
    /// <summary>
    /// The event's run-wide number: 1, 2, … with no gaps or repeats, across restarts too. Pass the last one seen as
    /// <c>?after=</c> (or, streaming, <c>Last-Event-ID</c>) to go on from there.
    /// </summary>
    [JsonPropertyName("sequence")] public long Sequence { get; init; }
    /// <summary>JSON <c>execution_id</c>: the run's id (its <c>kickoff_id</c>).</summary>
    [JsonPropertyName("execution_id")] public required string ExecutionId { get; init; }
    /// <summary>
    /// The event type, in CrewAI's vocabulary (<c>crew_kickoff_started</c>, <c>task_completed</c>, <c>tool_usage_finished</c>, …)
    /// plus Muster's <c>agent_step</c>, <c>task_awaiting_human</c> and <c>output_validation_failed</c>; docs/EVENTS.md lists them.
    /// </summary>
    [JsonPropertyName("type")] public required string Type { get; init; }
    /// <summary>When the event happened, UTC ISO 8601 with a <c>Z</c>.</summary>
    [JsonPropertyName("timestamp")] public required string Timestamp { get; init; }
    /// <summary>The type's fields (docs/EVENTS.md), e.g. <c>task_name</c>, <c>agent</c>, <c>output</c>, <c>token_usage</c>.</summary>
    [JsonPropertyName("data")] public JsonObject? Data { get; init; }
}

/// <summary>One attempt to deliver a webhook.</summary>
public sealed record DeliveryAttemptDto
{
    /// <summary>JSON <c>attempted_at</c>: when the attempt was made, UTC ISO 8601.</summary>
    [JsonPropertyName("attempted_at")] public required string AttemptedAt { get; init; }
    /// <summary>JSON <c>status_code</c>: the receiver's HTTP status; absent when no answer came (timeout, connection failure, destination refused).</summary>
    [JsonPropertyName("status_code")] public int? StatusCode { get; init; }
    /// <summary>Why the attempt failed, e.g. <c>HTTP 503 Service Unavailable</c> or <c>timed out after 10 s</c>; absent when it was delivered (2xx).</summary>
    [JsonPropertyName("error")] public string? Error { get; init; }
}

/// <summary>A webhook delivery owed for a run, with its attempts.</summary>
public sealed record DeliveryDto
{
    /// <summary>
    /// The delivery's id (a UUID), sent as the <c>Muster-Event-Id</c> header and the same on every retry (a request carrying
    /// several stream events sends the first one's).
    /// </summary>
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary>The URL it is POSTed to, as the run's webhook settings had it when the delivery was created.</summary>
    [JsonPropertyName("url")] public required string Url { get; init; }
    /// <summary>
    /// <c>step</c>, <c>task</c>, <c>crew</c> or <c>human_input</c>; for the event stream, <c>events</c> (one event, batched with
    /// others when sent) or <c>event</c> (one event sent alone, <c>realtime: true</c>); <c>a2a_push</c> for an A2A push
    /// notification config's.
    /// </summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>
    /// <c>pending</c> (not delivered yet; retried), <c>delivered</c> (a 2xx answer), or <c>failed</c> (retries ran out after
    /// <c>Muster:Webhooks:RetryPeriod</c>, 24 h by default, or the destination was refused).
    /// </summary>
    [JsonPropertyName("state")] public required string State { get; init; }
    /// <summary>JSON <c>created_at</c>: when the run's event caused it, UTC ISO 8601.</summary>
    [JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    /// <summary>Every attempt so far, oldest first; empty before the first.</summary>
    [JsonPropertyName("attempts")] public required IReadOnlyList<DeliveryAttemptDto> Attempts { get; init; }
}

/// <summary>A validation error on one field, with its JSON path.</summary>
/// <param name="Path">JSON <c>loc</c>: where the problem is, a dotted path with indexes, e.g. <c>crew_config.agents[0].role</c>,
/// <c>task_input.topic</c>, <c>query.limit</c>, <c>headers.x-correlation-id</c>.</param>
/// <param name="Message">JSON <c>msg</c>: what is wrong, in English.</param>
public sealed record FieldError(
    [property: JsonPropertyName("loc")] string Path,
    [property: JsonPropertyName("msg")] string Message);

/// <summary>422 body of the crew-runs API: a list of field errors.</summary>
/// <param name="Detail">Every field error found, not just the first.</param>
public sealed record ValidationErrorResponse([property: JsonPropertyName("detail")] IReadOnlyList<FieldError> Detail);
