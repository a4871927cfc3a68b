using System.Text.Json.Serialization;

namespace Muster.Contracts;

/// <summary>
/// Token usage in CrewAI's <c>UsageMetrics</c> terms: the one type the engine counts with, the store keeps and every API,
/// event and webhook writes, always as <see cref="TokenUsageJsonConverter"/> does. Immutable; add with <c>+</c>.
/// </summary>
/// <param name="PromptTokens">Input tokens, summed over the LLM calls as the providers reported them.</param>
/// <param name="CompletionTokens">Output tokens, summed over the LLM calls as the providers reported them.</param>
/// <param name="CachedPromptTokens">The part of <paramref name="PromptTokens"/> the provider served from its prompt cache; 0 when it does not say.</param>
/// <param name="SuccessfulRequests">LLM calls that returned an answer; failed attempts, retried or not, are not counted.</param>
/// <param name="CostUsd">
/// What the calls cost in US dollars at the configured prices; null when a call's model has no price (a sum with an unknown
/// part is unknown), never 0 for an unpriced call.
/// </param>
[JsonConverter(typeof(TokenUsageJsonConverter))]
public sealed record TokenUsage(long PromptTokens = 0, long CompletionTokens = 0, long CachedPromptTokens = 0, long SuccessfulRequests = 0, decimal? CostUsd = 0)
{
    /// <summary>No usage: where every sum starts.</summary>
    public static readonly TokenUsage Zero = new();

    /// <summary>
    /// JSON <c>total_tokens</c>: <see cref="PromptTokens"/> + <see cref="CompletionTokens"/> (a provider's own total is not
    /// used); usage read from JSON keeps the total it was given.
    /// </summary>
    public long TotalTokens { get; private init; } = PromptTokens + CompletionTokens;

    /// <summary>JSON <c>prompt_tokens</c>: input tokens.</summary>
    public long PromptTokens { get; } = PromptTokens;

    /// <summary>JSON <c>completion_tokens</c>: output tokens.</summary>
    public long CompletionTokens { get; } = CompletionTokens;

    /// <summary>JSON <c>cached_prompt_tokens</c>: input tokens served from the provider's prompt cache.</summary>
    public long CachedPromptTokens { get; } = CachedPromptTokens;

    /// <summary>JSON <c>successful_requests</c>: LLM calls that returned an answer.</summary>
    public long SuccessfulRequests { get; } = SuccessfulRequests;

    /// <summary>JSON <c>cost_usd</c>: the calls' cost in US dollars; null when some call's model has no price.</summary>
    public decimal? CostUsd { get; } = CostUsd;

    /// <summary>The field-by-field sum of two usages.</summary>
    public static TokenUsage operator +(TokenUsage a, TokenUsage b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new TokenUsage(
            a.PromptTokens + b.PromptTokens,
            a.CompletionTokens + b.CompletionTokens,
            a.CachedPromptTokens + b.CachedPromptTokens,
            a.SuccessfulRequests + b.SuccessfulRequests,
            a.CostUsd + b.CostUsd)
        {
            TotalTokens = a.TotalTokens + b.TotalTokens,
        };
    }

    /// <summary>Usage as JSON gave it, its total included.</summary>
    internal static TokenUsage Read(long totalTokens, long promptTokens, long completionTokens, long cachedPromptTokens, long successfulRequests, decimal? costUsd) =>
        new(promptTokens, completionTokens, cachedPromptTokens, successfulRequests, costUsd) { TotalTokens = totalTokens };
}
