using System.Text.Json.Serialization;

namespace Muster.Contracts.Runs;

/// <summary>
/// <c>GET /api/usage</c>: the tokens, LLM calls and cost of the LLM calls that answered in [<c>from</c>, <c>to</c>), per
/// group, over the runs the caller may see.
/// </summary>
public sealed record UsageReport
{
    /// <summary>The window's start, inclusive (UTC).</summary>
    [JsonPropertyName("from")] public required DateTimeOffset From { get; init; }
    /// <summary>The window's end, exclusive (UTC).</summary>
    [JsonPropertyName("to")] public required DateTimeOffset To { get; init; }
    /// <summary>What the calls are grouped by: <c>crew</c>, <c>model</c>, <c>owner</c> or <c>day</c>.</summary>
    [JsonPropertyName("group_by")] public required string GroupBy { get; init; }
    /// <summary>One entry per group that had calls, ordered by key; empty when there were none.</summary>
    [JsonPropertyName("groups")] public required IReadOnlyList<UsageReportGroup> Groups { get; init; }
}

/// <summary>One group of a <see cref="UsageReport"/>.</summary>
public sealed record UsageReportGroup
{
    /// <summary>The crew name, the model reference (<c>provider/model</c>), the owner id, or the UTC day (<c>yyyy-MM-dd</c>).</summary>
    [JsonPropertyName("key")] public required string Key { get; init; }
    /// <summary>Input tokens over the group's calls.</summary>
    [JsonPropertyName("prompt_tokens")] public required long PromptTokens { get; init; }
    /// <summary>Output tokens over the group's calls.</summary>
    [JsonPropertyName("completion_tokens")] public required long CompletionTokens { get; init; }
    /// <summary><c>prompt_tokens</c> + <c>completion_tokens</c>.</summary>
    [JsonPropertyName("total_tokens")] public required long TotalTokens { get; init; }
    /// <summary>LLM calls that answered.</summary>
    [JsonPropertyName("llm_calls")] public required long LlmCalls { get; init; }
    /// <summary>The calls' cost in US dollars; null (written, not omitted) when any call of the group had no price.</summary>
    [JsonPropertyName("cost_usd")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required decimal? CostUsd { get; init; }
}
