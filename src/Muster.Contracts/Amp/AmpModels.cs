using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Muster.Contracts.Amp;

/// <summary><c>GET /inputs</c>: the names of the crew's placeholders.</summary>
/// <param name="Inputs">The placeholder names (<c>{topic}</c> gives <c>topic</c>) in first-seen order, agents before tasks;
/// the kickoff's <c>inputs</c> needs a value for each.</param>
public sealed record InputsResponse([property: JsonPropertyName("inputs")] IReadOnlyList<string> Inputs);

/// <summary><c>GET /inputs</c> in legacy mode: an object of name to description, as Semantic Kernel's client reads it.</summary>
/// <param name="Inputs">Each placeholder name mapped to a generated description (<c>The 'topic' input of {crew}</c>):
/// crew files hold no descriptions.</param>
public sealed record LegacyInputsResponse([property: JsonPropertyName("inputs")] IReadOnlyDictionary<string, string> Inputs);

/// <summary>Authentication sent with a webhook: <c>bearer</c> (token) or <c>basic</c> (username, password).</summary>
public sealed record WebhookAuthentication
{
    /// <summary><c>bearer</c> or <c>basic</c> (any case); any other value is refused with 422 at kickoff and resume.</summary>
    [JsonPropertyName("strategy")] public string? Strategy { get; init; }
    /// <summary>With <c>bearer</c> (and required there): sent as <c>Authorization: Bearer {token}</c>.</summary>
    [JsonPropertyName("token")] public string? Token { get; init; }
    /// <summary>With <c>basic</c> (and required there): the user name of <c>Authorization: Basic</c>.</summary>
    [JsonPropertyName("username")] public string? Username { get; init; }
    /// <summary>With <c>basic</c> (and required there, though it may be empty): the password of <c>Authorization: Basic</c>.</summary>
    [JsonPropertyName("password")] public string? Password { get; init; }
}

/// <summary>The newer event-stream webhook: <c>{events, url, realtime, authentication}</c>.</summary>
public sealed record WebhookStreamConfig
{
    /// <summary>
    /// The event types to send (<c>task_completed</c>, <c>crew_kickoff_failed</c>, …; docs/EVENTS.md lists them), matched
    /// exactly and case-sensitively. Null or empty sends every event.
    /// </summary>
    [JsonPropertyName("events")] public IReadOnlyList<string>? Events { get; init; }
    /// <summary>
    /// Where the events are POSTed, as <c>{"events": [{id, execution_id, timestamp, type, data}, …]}</c>. An absolute http(s)
    /// URL without credentials, to a public address unless the server allows private networks (422 naming <c>webhooks.url</c>
    /// otherwise). Without a URL nothing is sent.
    /// </summary>
    [JsonPropertyName("url")] public string? Url { get; init; }
    /// <summary>True sends each event in its own request; false (the default) lets consecutive events share one request.</summary>
    [JsonPropertyName("realtime")] public bool Realtime { get; init; }
    /// <summary>Sent with every request of the stream; null sends no <c>Authorization</c> header.</summary>
    [JsonPropertyName("authentication")] public WebhookAuthentication? Authentication { get; init; }
}

/// <summary>The human-input webhook called when a run pauses for review.</summary>
public sealed record HumanInputWebhookConfig
{
    /// <summary>
    /// POSTed <c>{kickoff_id, task_id, task_name, agent, output, status: "pending_human_input", crew_name, timestamp, meta}</c>
    /// when a <c>human_input</c> task pauses the run. Same URL rules as the other webhooks (422 naming <c>humanInputWebhook.url</c>).
    /// </summary>
    [JsonPropertyName("url")] public string? Url { get; init; }
    /// <summary>Sent with that request; null sends no <c>Authorization</c> header.</summary>
    [JsonPropertyName("authentication")] public WebhookAuthentication? Authentication { get; init; }
}

/// <summary><c>POST /kickoff</c> body. Unknown fields are ignored.</summary>
public sealed record KickoffRequest
{
    /// <summary>
    /// Required (400 when absent or not an object): a value for every name <c>GET /inputs</c> lists; an absent or null one is a
    /// 422 with <c>details.missing_inputs</c>. Strings fill placeholders as written; numbers, booleans, lists and objects as JSON
    /// text. Extra keys are kept: they appear in <c>crew_kickoff_started</c> and the run record's <c>task_input</c>.
    /// </summary>
    [JsonPropertyName("inputs")] public JsonObject? Inputs { get; init; }
    /// <summary>
    /// Any JSON object, stored with the run and echoed as <c>meta</c> in the step, task, crew and human-input webhook bodies
    /// (<c>null</c> there when not sent). Not part of the <c>webhooks</c> event stream.
    /// </summary>
    [JsonPropertyName("meta")] public JsonObject? Meta { get; init; }
    /// <summary>
    /// JSON <c>taskWebhookUrl</c>: POSTed <c>{description, name, expected_output, summary, agent, output, output_json, kickoff_id, meta}</c>
    /// after each task completes. An absolute http(s) URL without credentials, to a public address unless the server allows
    /// private networks; otherwise 422 naming the field.
    /// </summary>
    [JsonPropertyName("taskWebhookUrl")] public string? TaskWebhookUrl { get; init; }
    /// <summary>
    /// JSON <c>stepWebhookUrl</c>: POSTed <c>{prompt, thought, tool, tool_input, result, kickoff_id, meta}</c> after each tool call
    /// an agent makes (its thought, the tool, the tool's input and result). Same URL rules.
    /// </summary>
    [JsonPropertyName("stepWebhookUrl")] public string? StepWebhookUrl { get; init; }
    /// <summary>
    /// JSON <c>crewWebhookUrl</c>: POSTed once when the run ends, <c>{kickoff_id, result, result_json, token_usage: {total_tokens,
    /// prompt_tokens, completion_tokens}, meta}</c>; a failed or stopped run adds <c>status</c> (<c>error</c> or <c>stopped</c>) and
    /// <c>error</c>, with <c>result: null</c>. Same URL rules.
    /// </summary>
    [JsonPropertyName("crewWebhookUrl")] public string? CrewWebhookUrl { get; init; }
    /// <summary>The event stream (Muster, and AMP's newer webhooks): every run event of the listed types, POSTed to one URL.</summary>
    [JsonPropertyName("webhooks")] public WebhookStreamConfig? Webhooks { get; init; }
    /// <summary>JSON <c>humanInputWebhook</c>: called when a <c>human_input</c> task pauses the run; answer with <c>POST /resume</c>.</summary>
    [JsonPropertyName("humanInputWebhook")] public HumanInputWebhookConfig? HumanInputWebhook { get; init; }
    /// <summary>
    /// Muster extension: limits for this run, <c>{max_total_tokens, max_cost_usd, max_llm_calls, max_duration}</c>. They may only
    /// tighten the crew's <c>budget</c> (a limit above the crew's is a 422); a run that reaches one stops (docs/COSTS.md).
    /// </summary>
    [JsonPropertyName("budget")] public CrewBudget? Budget { get; init; }
}

/// <summary><c>POST /kickoff</c> answer.</summary>
/// <param name="KickoffId">
/// JSON <c>kickoff_id</c>: the run's id. Use it in <c>/status/{kickoff_id}</c> and <c>/stop/{kickoff_id}</c>, as <c>execution_id</c>
/// of <c>/resume</c>, and as <c>{id}</c> of <c>/api/crew-runs/{id}</c>. The same <c>Idempotency-Key</c> from the same token within
/// 24 hours answers the first kickoff's id again.
/// </param>
public sealed record KickoffResponse([property: JsonPropertyName("kickoff_id")] Guid KickoffId);

/// <summary>Progress of a running execution.</summary>
/// <param name="CompletedTasks">JSON <c>completed_tasks</c>: tasks finished so far, those before a pause or restart included;
/// a task awaiting review counts once approved.</param>
/// <param name="TotalTasks">JSON <c>total_tasks</c>: the number of tasks in the crew.</param>
public sealed record StatusProgress(
    [property: JsonPropertyName("completed_tasks")] int CompletedTasks,
    [property: JsonPropertyName("total_tasks")] int TotalTasks);

/// <summary>One finished task in a completed status.</summary>
public sealed record StatusTaskResult
{
    /// <summary>JSON <c>task_id</c>: the task's name (its key in tasks.yaml, or the <c>name</c> of an ad-hoc crew's task).</summary>
    [JsonPropertyName("task_id")] public required string TaskId { get; init; }
    /// <summary>The task's final answer, as text, as the agent gave it.</summary>
    [JsonPropertyName("output")] public required string Output { get; init; }
    /// <summary>
    /// The role of the agent that performed the task (in a hierarchical crew, the manager's), as the crew writes it: a folded
    /// <c>role: &gt;</c> in agents.yaml keeps its trailing newline.
    /// </summary>
    [JsonPropertyName("agent")] public required string Agent { get; init; }
    /// <summary>JSON <c>execution_time</c>: seconds the task took, guardrail and <c>output_json</c> retries included (not rounded).</summary>
    [JsonPropertyName("execution_time")] public double ExecutionTime { get; init; }
}

/// <summary>The result of a completed execution.</summary>
public sealed record StatusResult
{
    /// <summary>The crew's final output: the output of the crew's last task.</summary>
    [JsonPropertyName("output")] public required string Output { get; init; }
    /// <summary>Every finished task, in the order they finished (tasks with <c>async_execution</c> may finish out of crew order).</summary>
    [JsonPropertyName("tasks")] public required IReadOnlyList<StatusTaskResult> Tasks { get; init; }
}

/// <summary>A task waiting for human review (Muster addition on a running status).</summary>
public sealed record PendingHumanInput
{
    /// <summary>JSON <c>task_id</c>: the name of the task awaiting review; send it as <c>task_id</c> of <c>POST /resume</c>.</summary>
    [JsonPropertyName("task_id")] public required string TaskId { get; init; }
    /// <summary>The output the task produced, for the reviewer to approve or send back.</summary>
    [JsonPropertyName("output")] public required string Output { get; init; }
}

/// <summary>
/// <c>GET /status/{kickoff_id}</c>. <see cref="Status"/> is <c>running</c>, <c>completed</c> or <c>error</c>;
/// <see cref="State"/> carries the live-service value (<c>PENDING</c>, <c>RUNNING</c>, <c>SUCCESS</c>, <c>FAILED</c>)
/// that crewAI-tools and Semantic Kernel clients read. Absent fields are omitted.
/// </summary>
public sealed record StatusResponse
{
    /// <summary><c>running</c> (also while queued or paused for review), <c>completed</c>, or <c>error</c> (failed or stopped).</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }
    /// <summary>
    /// The live service's value: <c>PENDING</c> (queued), <c>RUNNING</c> (executing or paused for review), <c>SUCCESS</c>, or
    /// <c>FAILED</c> (failed or stopped: the value crewAI-tools ends its poll on, which Semantic Kernel accepts too). Muster
    /// always sends it; other AMP servers may not.
    /// </summary>
    [JsonPropertyName("state")] public string? State { get; init; }
    /// <summary>JSON <c>current_task</c>: the name of the task started most recently; while <c>running</c> only, and absent before the first task starts.</summary>
    [JsonPropertyName("current_task")] public string? CurrentTask { get; init; }
    /// <summary>Tasks completed out of the crew's total; while <c>running</c> only.</summary>
    [JsonPropertyName("progress")] public StatusProgress? Progress { get; init; }
    /// <summary>The final output and every finished task's output; when <c>completed</c> only.</summary>
    [JsonPropertyName("result")] public StatusResult? Result { get; init; }
    /// <summary>
    /// Why the run ended badly, when <c>error</c> only: a failure (<c>Task 'write' failed: …</c>) or a stop
    /// (<c>Stopped by {owner_id} at {UTC time}</c>).
    /// </summary>
    [JsonPropertyName("error")] public string? Error { get; init; }
    /// <summary>
    /// JSON <c>execution_time</c>: seconds from the run's start (its creation, if it never started) to its end, rounded to
    /// milliseconds; when <c>completed</c> or <c>error</c> only. Wall-clock time, so a wait for human review counts.
    /// </summary>
    [JsonPropertyName("execution_time")] public double? ExecutionTime { get; init; }
    /// <summary>JSON <c>token_usage</c> (Muster addition): the run's LLM usage; when <c>completed</c> or <c>error</c> only.</summary>
    [JsonPropertyName("token_usage")] public TokenUsage? TokenUsage { get; init; }
    /// <summary>
    /// JSON <c>pending_human_input</c> (Muster addition): the task awaiting review, while the run is paused for it (<c>status</c>
    /// stays <c>running</c>).
    /// </summary>
    [JsonPropertyName("pending_human_input")] public PendingHumanInput? PendingHumanInput { get; init; }
}

/// <summary>
/// The live service's status shape (a token's <c>status_shape: live</c>, or <c>Muster:Compat:Legacy</c>):
/// <c>{state, status, result: string|null, last_step: object|null, error?}</c>.
/// </summary>
public sealed record LegacyStatusResponse
{
    /// <summary>
    /// <c>PENDING</c>, <c>RUNNING</c> (also while paused for review), <c>SUCCESS</c>, or <c>FAILED</c> (failed or stopped), the
    /// values crewAI-tools and Semantic Kernel test for.
    /// </summary>
    [JsonPropertyName("state")] public required string State { get; init; }
    /// <summary>The documented value beside it: <c>running</c>, <c>completed</c> or <c>error</c>.</summary>
    [JsonPropertyName("status")] public string? Status { get; init; }
    /// <summary>
    /// The final output as a string on <c>SUCCESS</c>; on <c>FAILED</c> the same reason as <see cref="Error"/> (Semantic Kernel
    /// builds its failure message from <c>result</c>); <c>null</c> while pending or running. Always present, as the clients'
    /// models declare it.
    /// </summary>
    [JsonPropertyName("result")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Result { get; init; }
    /// <summary>
    /// JSON <c>last_step</c>: <c>{task_id, agent, output}</c> of the task that finished last, in every state; <c>null</c> until one
    /// finishes. Always present.
    /// </summary>
    [JsonPropertyName("last_step")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonObject? LastStep { get; init; }
    /// <summary>Why the run failed, or who stopped it and when; on <c>FAILED</c> only.</summary>
    [JsonPropertyName("error")] public string? Error { get; init; }
}

/// <summary><c>POST /resume</c> body.</summary>
public sealed record ResumeRequest
{
    /// <summary>JSON <c>execution_id</c>, required: the paused run's <c>kickoff_id</c>. 404 when unknown, another user's, or another crew's.</summary>
    [JsonPropertyName("execution_id")] public string? ExecutionId { get; init; }
    /// <summary>
    /// JSON <c>task_id</c>, required: the task awaiting review (the status's <c>pending_human_input.task_id</c>); 400 "Execution
    /// is not in pending human input state" when the run is not paused, followed by " for task '…': the execution awaits review
    /// of task '…'" when it is paused on another task.
    /// </summary>
    [JsonPropertyName("task_id")] public string? TaskId { get; init; }
    /// <summary>JSON <c>human_feedback</c>, required (may be empty): on a rejection the task runs again with it as extra context; ignored on approval.</summary>
    [JsonPropertyName("human_feedback")] public string? HumanFeedback { get; init; }
    /// <summary>JSON <c>is_approve</c>, required: true accepts the output and the run goes on; false reruns the task, which then pauses for review again.</summary>
    [JsonPropertyName("is_approve")] public bool? IsApprove { get; init; }
    /// <summary>Replaces the run's <c>taskWebhookUrl</c> from now on; absent keeps it. Same URL rules as at kickoff.</summary>
    [JsonPropertyName("taskWebhookUrl")] public string? TaskWebhookUrl { get; init; }
    /// <summary>Replaces the run's <c>stepWebhookUrl</c> from now on; absent keeps it. Same URL rules as at kickoff.</summary>
    [JsonPropertyName("stepWebhookUrl")] public string? StepWebhookUrl { get; init; }
    /// <summary>Replaces the run's <c>crewWebhookUrl</c> from now on; absent keeps it. Same URL rules as at kickoff.</summary>
    [JsonPropertyName("crewWebhookUrl")] public string? CrewWebhookUrl { get; init; }
    /// <summary>Replaces the run's event stream settings, as a whole, from now on; absent keeps them.</summary>
    [JsonPropertyName("webhooks")] public WebhookStreamConfig? Webhooks { get; init; }
    /// <summary>Replaces the run's human-input webhook from now on; absent keeps it.</summary>
    [JsonPropertyName("humanInputWebhook")] public HumanInputWebhookConfig? HumanInputWebhook { get; init; }
}

/// <summary><c>POST /resume</c> answer: <c>resumed</c>, <c>retrying</c> or <c>completed</c>.</summary>
/// <param name="Status"><c>resumed</c> (approved: the run goes on) or <c>retrying</c> (rejected: the task runs again); Muster never
/// sends the spec's third value, <c>completed</c>.</param>
/// <param name="Message">A sentence for people, e.g. <c>Execution resumed at task review_task</c>.</param>
public sealed record ResumeResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message);

/// <summary><c>POST /stop/{kickoff_id}</c> answer.</summary>
/// <param name="Status">
/// Always <c>stopped</c>. A queued or paused run is stopped at once; an executing one is stopped by the node running it
/// moments later, so its status may still say <c>running</c> briefly.
/// </param>
/// <param name="KickoffId">JSON <c>kickoffId</c> (camelCase, as the live service writes it): the stopped run's id.</param>
public sealed record StopResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("kickoffId")] Guid KickoffId);

/// <summary>The AMP error body: <c>{error, message, details?}</c>.</summary>
public sealed record ErrorResponse
{
    /// <summary>A short title, e.g. <c>Unauthorized</c>, <c>Execution not found</c>, <c>Crew not found</c>, <c>Validation Error</c>, <c>Bad Request</c>.</summary>
    [JsonPropertyName("error")] public required string Error { get; init; }
    /// <summary>What went wrong, often with how to fix it; Muster always sends it.</summary>
    [JsonPropertyName("message")] public string? Message { get; init; }
    /// <summary>
    /// With 422 <c>Validation Error</c> only: <c>{"missing_inputs": [names]}</c> for kickoff inputs, or each refused field
    /// mapped to the reason (e.g. <c>{"crewWebhookUrl": "must be an absolute http or https URL"}</c>).
    /// </summary>
    [JsonPropertyName("details")] public JsonObject? Details { get; init; }
}

/// <summary>The stop endpoint's refusal for a finished run: <c>{"detail": "Cannot stop execution. Current state: SUCCESS"}</c>.</summary>
/// <param name="Detail"><c>Cannot stop execution. Current state: {state}</c>, the state being <c>SUCCESS</c> (completed),
/// <c>FAILURE</c> (failed) or <c>REVOKED</c> (stopped).</param>
public sealed record DetailResponse([property: JsonPropertyName("detail")] string Detail);
