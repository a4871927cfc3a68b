using Muster.Contracts;
using Muster.Contracts.Tokens;
using Muster.Storage;

namespace Muster.Server.Tokens;

/// <summary>A stored token as the API (and <c>muster tokens</c> against the store) shows it: never the hash or the secret.</summary>
public static class TokenInfos
{
    public static TokenInfo From(TokenRecord record) => new()
    {
        Id = record.Id,
        Kind = record.Kind == TokenKind.Organization ? "org" : "user",
        UserId = record.UserId,
        Crews = record.Crews.Count == 0 ? null : record.Crews,
        Name = record.Name,
        ManageTokens = record.ManageTokens,
        StatusShape = record.StatusShape switch
        {
            StatusShape.Live => "live",
            StatusShape.Documented => "documented",
            _ => null,
        },
        CreatedAt = UtcTimestampJsonConverter.Format(record.CreatedAt),
        RevokedAt = record.RevokedAt is { } revoked ? UtcTimestampJsonConverter.Format(revoked) : null,
        Limits = record.Limits is { } limits
            ? new TokenLimitsModel
            {
                MaxTokensPerDay = limits.MaxTokensPerDay,
                MaxCostUsdPerDay = limits.MaxCostUsdPerDay,
                MaxTokensPerMonth = limits.MaxTokensPerMonth,
                MaxCostUsdPerMonth = limits.MaxCostUsdPerMonth,
            }
            : null,
    };
}
