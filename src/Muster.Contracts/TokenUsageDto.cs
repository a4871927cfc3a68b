using System.Text.Json.Serialization;

namespace Muster.Contracts;

/// <summary>Token usage in CrewAI's <c>UsageMetrics</c> shape.</summary>
public sealed record TokenUsageDto
{
    [JsonPropertyName("total_tokens")] public long TotalTokens { get; init; }
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
    [JsonPropertyName("cached_prompt_tokens")] public long CachedPromptTokens { get; init; }
    [JsonPropertyName("successful_requests")] public long SuccessfulRequests { get; init; }
}
