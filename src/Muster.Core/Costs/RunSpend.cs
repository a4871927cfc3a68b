using Muster.Contracts;

namespace Muster.Core.Costs;

/// <summary>
/// What a run has spent on LLM calls, over every call it made (those of tasks redone after a takeover or a rejected review
/// included), as its stored <c>llm_call_completed</c> events sum it: budgets count this, not the tasks' usage.
/// </summary>
/// <param name="Tokens">Prompt plus completion tokens.</param>
/// <param name="LlmCalls">Calls that answered.</param>
/// <param name="CostUsd">US dollars; null when a call's model had no price.</param>
public sealed record RunSpend(long Tokens, long LlmCalls, decimal? CostUsd)
{
    /// <summary>Nothing spent yet.</summary>
    public static readonly RunSpend Zero = new(0, 0, 0m);

    /// <summary>This spend and one more call's <paramref name="usage"/>.</summary>
    public RunSpend Add(TokenUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new RunSpend(Tokens + usage.TotalTokens, LlmCalls + usage.SuccessfulRequests, CostUsd + usage.CostUsd);
    }
}
