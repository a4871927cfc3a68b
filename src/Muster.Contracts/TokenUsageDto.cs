using System.Text.Json.Serialization;

namespace Muster.Contracts;

/// <summary>Token usage in CrewAI's <c>UsageMetrics</c> shape.</summary>
public sealed record TokenUsageDto
{
    /// <summary>JSON <c>total_tokens</c>: <c>prompt_tokens</c> + <c>completion_tokens</c>.</summary>
    [JsonPropertyName("total_tokens")] public long TotalTokens { get; init; }
    /// <summary>JSON <c>prompt_tokens</c>: input tokens, summed over the LLM calls as the providers reported them.</summary>
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }
    /// <summary>JSON <c>completion_tokens</c>: output tokens, summed over the LLM calls as the providers reported them.</summary>
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
    /// <summary>JSON <c>cached_prompt_tokens</c>: the part of <c>prompt_tokens</c> the provider served from its prompt cache; 0 when it does not say.</summary>
    [JsonPropertyName("cached_prompt_tokens")] public long CachedPromptTokens { get; init; }
    /// <summary>JSON <c>successful_requests</c>: LLM calls that returned an answer; failed attempts, retried or not, are not counted.</summary>
    [JsonPropertyName("successful_requests")] public long SuccessfulRequests { get; init; }
}
