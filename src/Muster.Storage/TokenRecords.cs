namespace Muster.Storage;

public enum TokenKind
{
    Organization,
    User,
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
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}
