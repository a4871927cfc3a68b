namespace Muster.Storage;

/// <summary>What the usage report groups LLM calls by.</summary>
public enum UsageGrouping
{
    /// <summary>The run's crew name.</summary>
    Crew,
    /// <summary>The call's model reference (<c>provider/model</c>).</summary>
    Model,
    /// <summary>The run's owner (a user id, or <c>org:{tokenId}</c>).</summary>
    Owner,
    /// <summary>The UTC day the call answered.</summary>
    Day,
}

/// <summary>A usage report's question: the LLM calls that answered in [<see cref="From"/>, <see cref="To"/>), grouped.</summary>
public sealed record UsageQuery
{
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required UsageGrouping GroupBy { get; init; }
    /// <summary>Only the calls of runs this owner started (a user token's view); null for every owner.</summary>
    public string? OwnerId { get; init; }
    /// <summary>Only the calls of runs of these deployed crews (ad-hoc runs excluded); null or empty for every run.</summary>
    public IReadOnlyList<string>? Crews { get; init; }
}

/// <summary>One group of a usage report.</summary>
/// <param name="Key">The crew, model or owner; for <see cref="UsageGrouping.Day"/> the day as <c>yyyy-MM-dd</c>.</param>
/// <param name="CostUsd">The calls' cost; null when any call in the group had no price.</param>
public sealed record UsageGroup(string Key, long PromptTokens, long CompletionTokens, long LlmCalls, decimal? CostUsd)
{
    public long TotalTokens => PromptTokens + CompletionTokens;
}
