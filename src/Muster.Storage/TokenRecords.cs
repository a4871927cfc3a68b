namespace Muster.Storage;

public enum TokenKind
{
    Organization,
    User,
}

/// <summary>The shape of the AMP status (and inputs) answers a token is given.</summary>
public enum StatusShape
{
    /// <summary>The documented shape: <c>status</c>, an object <c>result</c>, <c>execution_time</c>.</summary>
    Documented,

    /// <summary>The live service's shape: <c>state</c>, a string <c>result</c>, <c>last_step</c> (Semantic Kernel, crewAI-tools).</summary>
    Live,
}

/// <summary>A bearer token as stored: only the SHA-256 hash of the secret, never the secret.</summary>
public sealed record TokenRecord
{
    public required string Id { get; init; }
    public required string Hash { get; init; }
    public required TokenKind Kind { get; init; }
    /// <summary>The user a user token is bound to.</summary>
    public string? UserId { get; init; }
    /// <summary>Crews the token covers; empty means all.</summary>
    public IReadOnlyList<string> Crews { get; init; } = [];
    public string? Name { get; init; }
    /// <summary>Whether the token may create, list and revoke tokens (only honoured on an organization token that covers every crew).</summary>
    public bool ManageTokens { get; init; }
    /// <summary>The status shape this token is answered in; null follows the server's <c>Muster:Compat:Legacy</c>.</summary>
    public StatusShape? StatusShape { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    /// <summary>What the token's runs may spend per UTC day and month; null when it has no limit (docs/COSTS.md).</summary>
    public TokenLimits? Limits { get; init; }
}

/// <summary>
/// A token's spending limits, each optional: tokens (prompt plus completion) and US dollars over the runs the token started
/// in one UTC day or one UTC month.
/// </summary>
public sealed record TokenLimits
{
    public long? MaxTokensPerDay { get; init; }
    public decimal? MaxCostUsdPerDay { get; init; }
    public long? MaxTokensPerMonth { get; init; }
    public decimal? MaxCostUsdPerMonth { get; init; }

    /// <summary>True when no limit is set.</summary>
    public bool IsEmpty => MaxTokensPerDay is null && MaxCostUsdPerDay is null && MaxTokensPerMonth is null && MaxCostUsdPerMonth is null;
}

/// <summary>
/// What a token's runs spent: those created since the start of the UTC day, and since the start of the UTC month. A cost is
/// the sum of the known costs (a run whose cost is unknown adds none).
/// </summary>
public sealed record TokenSpend(long DayTokens, decimal DayCostUsd, long MonthTokens, decimal MonthCostUsd);
