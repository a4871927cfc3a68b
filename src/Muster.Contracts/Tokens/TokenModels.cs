using System.Text.Json.Serialization;

namespace Muster.Contracts.Tokens;

/// <summary>Request to create a bearer token: <c>kind</c> is <c>org</c> or <c>user</c>.</summary>
public sealed record CreateTokenRequest
{
    /// <summary>
    /// <c>org</c> (or <c>organization</c>): acts on every run of the crews it covers; <c>user</c>: sees and acts on only the
    /// runs it started. Anything else is a 422.
    /// </summary>
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    /// <summary>
    /// JSON <c>user_id</c>: required for a <c>user</c> token, and the <c>owner_id</c> of its runs (at most 200 characters); ignored
    /// for <c>org</c>. It may not start with <c>org:</c> (any case), the prefix of organization tokens' owner ids (422).
    /// </summary>
    [JsonPropertyName("user_id")] public string? UserId { get; init; }
    /// <summary>
    /// The deployed crews the token may use; null or empty means all. A token limited to some crews cannot run ad-hoc crews.
    /// At most 100 names.
    /// </summary>
    [JsonPropertyName("crews")] public IReadOnlyList<string>? Crews { get; init; }
    /// <summary>A label for people (at most 200 characters); optional.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }
    /// <summary>
    /// JSON <c>manage_tokens</c>: true lets the new token create, list and revoke tokens. Only an <c>org</c> token that covers
    /// every crew may have it (a 422 otherwise). Default false.
    /// </summary>
    [JsonPropertyName("manage_tokens")] public bool? ManageTokens { get; init; }
    /// <summary>
    /// JSON <c>status_shape</c>: how <c>GET /status/{id}</c> and <c>GET /inputs</c> answer this token: <c>live</c> (the live
    /// service's shape, for Semantic Kernel and crewAI-tools) or <c>documented</c>. Absent follows the server's
    /// <c>Muster:Compat:Legacy</c>. Anything else is a 422.
    /// </summary>
    [JsonPropertyName("status_shape")] public string? StatusShape { get; init; }
    /// <summary>
    /// What the runs this token starts may spend per UTC day and per UTC month; absent (or empty) for no limit. A kickoff over a
    /// limit answers 429 (docs/COSTS.md). A limit that is not positive is a 422.
    /// </summary>
    [JsonPropertyName("limits")] public TokenLimitsModel? Limits { get; init; }
}

/// <summary>
/// A token's spending limits, each optional: JSON <c>{max_tokens_per_day, max_cost_usd_per_day, max_tokens_per_month,
/// max_cost_usd_per_month}</c>. Tokens are prompt plus completion tokens and dollars are US dollars at the configured prices,
/// summed over the runs the token started in the UTC day or the UTC month (docs/COSTS.md).
/// </summary>
public sealed record TokenLimitsModel
{
    /// <summary>JSON <c>max_tokens_per_day</c>: tokens over the runs created in one UTC day.</summary>
    [JsonPropertyName("max_tokens_per_day")] public long? MaxTokensPerDay { get; init; }
    /// <summary>JSON <c>max_cost_usd_per_day</c>: US dollars over the runs created in one UTC day.</summary>
    [JsonPropertyName("max_cost_usd_per_day")] public decimal? MaxCostUsdPerDay { get; init; }
    /// <summary>JSON <c>max_tokens_per_month</c>: tokens over the runs created in one UTC calendar month.</summary>
    [JsonPropertyName("max_tokens_per_month")] public long? MaxTokensPerMonth { get; init; }
    /// <summary>JSON <c>max_cost_usd_per_month</c>: US dollars over the runs created in one UTC calendar month.</summary>
    [JsonPropertyName("max_cost_usd_per_month")] public decimal? MaxCostUsdPerMonth { get; init; }
}

/// <summary>A token as listed: never the secret itself.</summary>
public sealed record TokenInfo
{
    /// <summary>
    /// The token's id (<c>tok_</c> and 16 random hex digits; <c>tok_bootstrap_</c> and 16 for the bootstrap token), for
    /// <c>DELETE /api/tokens/{id}</c>. Random, so it tells nothing about the secret.
    /// </summary>
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary><c>org</c> or <c>user</c>.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>JSON <c>user_id</c>: the user a <c>user</c> token acts as; absent for <c>org</c> tokens.</summary>
    [JsonPropertyName("user_id")] public string? UserId { get; init; }
    /// <summary>The crews the token is limited to; absent when it covers all.</summary>
    [JsonPropertyName("crews")] public IReadOnlyList<string>? Crews { get; init; }
    /// <summary>The label given at creation (<c>bootstrap</c> for the bootstrap token); absent when none was.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }
    /// <summary>JSON <c>manage_tokens</c>: whether the token may create, list and revoke tokens (the bootstrap token may).</summary>
    [JsonPropertyName("manage_tokens")] public bool ManageTokens { get; init; }
    /// <summary>JSON <c>status_shape</c>: <c>live</c> or <c>documented</c>; absent when the token follows the server's <c>Muster:Compat:Legacy</c>.</summary>
    [JsonPropertyName("status_shape")] public string? StatusShape { get; init; }
    /// <summary>JSON <c>created_at</c>: UTC ISO 8601.</summary>
    [JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    /// <summary>JSON <c>revoked_at</c>: when the token was revoked, UTC ISO 8601; absent while it is active. The list shows revoked tokens too.</summary>
    [JsonPropertyName("revoked_at")] public string? RevokedAt { get; init; }
    /// <summary>The token's spending limits; absent when it has none.</summary>
    [JsonPropertyName("limits")] public TokenLimitsModel? Limits { get; init; }
}

/// <summary>A freshly created token: the secret is shown this once.</summary>
public sealed record CreatedTokenResponse
{
    /// <summary>
    /// The secret to send as <c>Authorization: Bearer …</c>: <c>mst_</c> and 43 base64url characters. Only its SHA-256 hash is
    /// stored, so it cannot be shown again.
    /// </summary>
    [JsonPropertyName("token")] public required string Token { get; init; }
    /// <summary>The new token as <c>GET /api/tokens</c> lists it (the answer is a 201 with <c>Location: /api/tokens/{id}</c>).</summary>
    [JsonPropertyName("info")] public required TokenInfo Info { get; init; }
}
