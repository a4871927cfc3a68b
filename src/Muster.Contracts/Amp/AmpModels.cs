using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Muster.Contracts.Amp;

/// <summary><c>GET /inputs</c>: the names of the crew's placeholders.</summary>
public sealed record InputsResponse([property: JsonPropertyName("inputs")] IReadOnlyList<string> Inputs);

/// <summary><c>GET /inputs</c> in legacy mode: an object of name to description, as Semantic Kernel's client reads it.</summary>
public sealed record LegacyInputsResponse([property: JsonPropertyName("inputs")] IReadOnlyDictionary<string, string> Inputs);

/// <summary>Authentication sent with a webhook: <c>bearer</c> (token) or <c>basic</c> (username, password).</summary>
public sealed record WebhookAuthentication
{
    [JsonPropertyName("strategy")] public string? Strategy { get; init; }
    [JsonPropertyName("token")] public string? Token { get; init; }
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("password")] public string? Password { get; init; }
}

/// <summary>The newer event-stream webhook: <c>{events, url, realtime, authentication}</c>.</summary>
public sealed record WebhookStreamConfig
{
    [JsonPropertyName("events")] public IReadOnlyList<string>? Events { get; init; }
    [JsonPropertyName("url")] public string? Url { get; init; }
    [JsonPropertyName("realtime")] public bool Realtime { get; init; }
    [JsonPropertyName("authentication")] public WebhookAuthentication? Authentication { get; init; }
}

/// <summary>The human-input webhook called when a run pauses for review.</summary>
public sealed record HumanInputWebhookConfig
{
    [JsonPropertyName("url")] public string? Url { get; init; }
    [JsonPropertyName("authentication")] public WebhookAuthentication? Authentication { get; init; }
}

/// <summary><c>POST /kickoff</c> body. Unknown fields are ignored.</summary>
public sealed record KickoffRequest
{
    [JsonPropertyName("inputs")] public JsonObject? Inputs { get; init; }
    [JsonPropertyName("meta")] public JsonObject? Meta { get; init; }
    [JsonPropertyName("taskWebhookUrl")] public string? TaskWebhookUrl { get; init; }
    [JsonPropertyName("stepWebhookUrl")] public string? StepWebhookUrl { get; init; }
    [JsonPropertyName("crewWebhookUrl")] public string? CrewWebhookUrl { get; init; }
    [JsonPropertyName("webhooks")] public WebhookStreamConfig? Webhooks { get; init; }
    [JsonPropertyName("humanInputWebhook")] public HumanInputWebhookConfig? HumanInputWebhook { get; init; }
}

/// <summary><c>POST /kickoff</c> answer.</summary>
public sealed record KickoffResponse([property: JsonPropertyName("kickoff_id")] Guid KickoffId);

/// <summary>Progress of a running execution.</summary>
public sealed record StatusProgress(
    [property: JsonPropertyName("completed_tasks")] int CompletedTasks,
    [property: JsonPropertyName("total_tasks")] int TotalTasks);

/// <summary>One finished task in a completed status.</summary>
public sealed record StatusTaskResult
{
    [JsonPropertyName("task_id")] public required string TaskId { get; init; }
    [JsonPropertyName("output")] public required string Output { get; init; }
    [JsonPropertyName("agent")] public required string Agent { get; init; }
    [JsonPropertyName("execution_time")] public double ExecutionTime { get; init; }
}

/// <summary>The result of a completed execution.</summary>
public sealed record StatusResult
{
    [JsonPropertyName("output")] public required string Output { get; init; }
    [JsonPropertyName("tasks")] public required IReadOnlyList<StatusTaskResult> Tasks { get; init; }
}

/// <summary>A task waiting for human review (Muster addition on a running status).</summary>
public sealed record PendingHumanInput
{
    [JsonPropertyName("task_id")] public required string TaskId { get; init; }
    [JsonPropertyName("output")] public required string Output { get; init; }
}

/// <summary>
/// <c>GET /status/{kickoff_id}</c>. <see cref="Status"/> is <c>running</c>, <c>completed</c> or <c>error</c>;
/// <see cref="State"/> carries the live-service value (<c>PENDING</c>, <c>RUNNING</c>, <c>SUCCESS</c>, <c>FAILURE</c>)
/// that crewAI-tools and Semantic Kernel clients read. Absent fields are omitted.
/// </summary>
public sealed record StatusResponse
{
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("state")] public string? State { get; init; }
    [JsonPropertyName("current_task")] public string? CurrentTask { get; init; }
    [JsonPropertyName("progress")] public StatusProgress? Progress { get; init; }
    [JsonPropertyName("result")] public StatusResult? Result { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("execution_time")] public double? ExecutionTime { get; init; }
    [JsonPropertyName("token_usage")] public TokenUsageDto? TokenUsage { get; init; }
    [JsonPropertyName("pending_human_input")] public PendingHumanInput? PendingHumanInput { get; init; }
}

/// <summary>Legacy (live-service) status: <c>{state, result: string|null, last_step: object|null}</c>.</summary>
public sealed record LegacyStatusResponse
{
    [JsonPropertyName("state")] public required string State { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("result")] public string? Result { get; init; }
    [JsonPropertyName("last_step")] public JsonObject? LastStep { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
}

/// <summary><c>POST /resume</c> body.</summary>
public sealed record ResumeRequest
{
    [JsonPropertyName("execution_id")] public string? ExecutionId { get; init; }
    [JsonPropertyName("task_id")] public string? TaskId { get; init; }
    [JsonPropertyName("human_feedback")] public string? HumanFeedback { get; init; }
    [JsonPropertyName("is_approve")] public bool? IsApprove { get; init; }
    [JsonPropertyName("taskWebhookUrl")] public string? TaskWebhookUrl { get; init; }
    [JsonPropertyName("stepWebhookUrl")] public string? StepWebhookUrl { get; init; }
    [JsonPropertyName("crewWebhookUrl")] public string? CrewWebhookUrl { get; init; }
    [JsonPropertyName("webhooks")] public WebhookStreamConfig? Webhooks { get; init; }
    [JsonPropertyName("humanInputWebhook")] public HumanInputWebhookConfig? HumanInputWebhook { get; init; }
}

/// <summary><c>POST /resume</c> answer: <c>resumed</c>, <c>retrying</c> or <c>completed</c>.</summary>
public sealed record ResumeResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message);

/// <summary><c>POST /stop/{kickoff_id}</c> answer.</summary>
public sealed record StopResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("kickoffId")] Guid KickoffId);

/// <summary>The AMP error body: <c>{error, message, details?}</c>.</summary>
public sealed record ErrorResponse
{
    [JsonPropertyName("error")] public required string Error { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("details")] public JsonObject? Details { get; init; }
}

/// <summary>The stop endpoint's refusal for a finished run: <c>{"detail": "Cannot stop execution. Current state: SUCCESS"}</c>.</summary>
public sealed record DetailResponse([property: JsonPropertyName("detail")] string Detail);
