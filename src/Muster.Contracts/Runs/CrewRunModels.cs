using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Muster.Contracts.Runs;

/// <summary>An agent of a <see cref="CrewConfig"/> (the crew-runs spec's AgentConfig, plus the model Muster used).</summary>
public sealed record AgentConfig
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("role")] public string? Role { get; init; }
    [JsonPropertyName("goal")] public string? Goal { get; init; }
    [JsonPropertyName("backstory")] public string? Backstory { get; init; }
    [JsonPropertyName("verbose")] public bool Verbose { get; init; }
    [JsonPropertyName("allow_delegation")] public bool AllowDelegation { get; init; }
    [JsonPropertyName("tools")] public IReadOnlyList<string>? Tools { get; init; }
    [JsonPropertyName("use_default_mcps")] public bool UseDefaultMcps { get; init; }
    [JsonPropertyName("llm")] public string? Llm { get; init; }
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
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("agent_index")] public int? AgentIndex { get; init; }
    [JsonPropertyName("expected_output")] public string? ExpectedOutput { get; init; }
    [JsonPropertyName("tools")] public IReadOnlyList<string>? Tools { get; init; }
    [JsonPropertyName("human_input")] public bool HumanInput { get; init; }
    [JsonPropertyName("context")] public IReadOnlyList<string>? Context { get; init; }
}

/// <summary>The crew that ran: the crew-runs spec's CrewConfig.</summary>
public sealed record CrewConfig
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("agents")] public IReadOnlyList<AgentConfig>? Agents { get; init; }
    [JsonPropertyName("tasks")] public IReadOnlyList<TaskConfig>? Tasks { get; init; }
    [JsonPropertyName("verbose")] public bool Verbose { get; init; }
    [JsonPropertyName("process")] public string? Process { get; init; }
}

/// <summary>Token usage of one task of a run.</summary>
public sealed record TaskUsageRecord
{
    [JsonPropertyName("task")] public required string Task { get; init; }
    [JsonPropertyName("agent")] public required string Agent { get; init; }
    [JsonPropertyName("output")] public string? Output { get; init; }
    [JsonPropertyName("execution_time")] public double ExecutionTime { get; init; }
    [JsonPropertyName("token_usage")] public required TokenUsageDto TokenUsage { get; init; }
}

/// <summary>The persistent crew run record of <c>GET /api/crew-runs/{run_id}</c>.</summary>
public sealed record CrewRunRecord
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("correlation_id")] public required string CorrelationId { get; init; }
    [JsonPropertyName("owner_id")] public required string OwnerId { get; init; }
    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c> or <c>failed</c>.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    [JsonPropertyName("crew_type")] public string? CrewType { get; init; }
    [JsonPropertyName("crew_config")] public CrewConfig? CrewConfig { get; init; }
    [JsonPropertyName("task_input")] public JsonObject? TaskInput { get; init; }
    [JsonPropertyName("result")] public string? Result { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("started_at")] public string? StartedAt { get; init; }
    [JsonPropertyName("completed_at")] public string? CompletedAt { get; init; }
    [JsonPropertyName("token_usage")] public TokenUsageDto? TokenUsage { get; init; }
    [JsonPropertyName("tasks")] public IReadOnlyList<TaskUsageRecord>? Tasks { get; init; }
}

/// <summary><c>POST /api/crews/run</c> body.</summary>
public sealed record RunCrewRequest
{
    [JsonPropertyName("crew_type")] public string? CrewType { get; init; }
    [JsonPropertyName("task_input")] public JsonObject? TaskInput { get; init; }
}

/// <summary><c>POST /api/crews/run/custom</c> body.</summary>
public sealed record RunCustomCrewRequest
{
    [JsonPropertyName("crew_config")] public CrewConfig? CrewConfig { get; init; }
    [JsonPropertyName("task_input")] public JsonObject? TaskInput { get; init; }
}

/// <summary>Answer of both run endpoints.</summary>
public sealed record RunCreatedResponse
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("correlation_id")] public required string CorrelationId { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }
}

/// <summary>One event of a run, in CrewAI's vocabulary, with its run-wide sequence number.</summary>
public sealed record RunEventDto
{
    [JsonPropertyName("sequence")] public long Sequence { get; init; }
    [JsonPropertyName("execution_id")] public required string ExecutionId { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("timestamp")] public required string Timestamp { get; init; }
    [JsonPropertyName("data")] public JsonObject? Data { get; init; }
}

/// <summary>One attempt to deliver a webhook.</summary>
public sealed record DeliveryAttemptDto
{
    [JsonPropertyName("attempted_at")] public required string AttemptedAt { get; init; }
    [JsonPropertyName("status_code")] public int? StatusCode { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
}

/// <summary>A webhook delivery owed for a run, with its attempts.</summary>
public sealed record DeliveryDto
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("url")] public required string Url { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("state")] public required string State { get; init; }
    [JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    [JsonPropertyName("attempts")] public required IReadOnlyList<DeliveryAttemptDto> Attempts { get; init; }
}

/// <summary>A validation error on one field, with its JSON path.</summary>
public sealed record FieldError(
    [property: JsonPropertyName("loc")] string Path,
    [property: JsonPropertyName("msg")] string Message);

/// <summary>422 body of the crew-runs API: a list of field errors.</summary>
public sealed record ValidationErrorResponse([property: JsonPropertyName("detail")] IReadOnlyList<FieldError> Detail);
