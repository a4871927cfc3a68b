using System.Text.Json.Serialization;

namespace Muster.Contracts.Tokens;

/// <summary>Request to create a bearer token: <c>kind</c> is <c>org</c> or <c>user</c>.</summary>
public sealed record CreateTokenRequest
{
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("user_id")] public string? UserId { get; init; }
    [JsonPropertyName("crews")] public IReadOnlyList<string>? Crews { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

/// <summary>A token as listed: never the secret itself.</summary>
public sealed record TokenInfo
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("user_id")] public string? UserId { get; init; }
    [JsonPropertyName("crews")] public IReadOnlyList<string>? Crews { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    [JsonPropertyName("revoked_at")] public string? RevokedAt { get; init; }
}

/// <summary>A freshly created token: the secret is shown this once.</summary>
public sealed record CreatedTokenResponse
{
    [JsonPropertyName("token")] public required string Token { get; init; }
    [JsonPropertyName("info")] public required TokenInfo Info { get; init; }
}
