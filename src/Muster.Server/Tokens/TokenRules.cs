using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;
using Muster.Storage;

namespace Muster.Server.Tokens;

/// <summary>A token to create, checked: what <see cref="TokenService.CreateAsync"/> stores.</summary>
public sealed record NewToken(
    TokenKind Kind, string? UserId, IReadOnlyList<string> Crews, string? Name, bool ManageTokens = false, StatusShape? StatusShape = null)
{
    /// <summary>What the token's runs may spend per UTC day and month; null for no limit.</summary>
    public TokenLimits? Limits { get; init; }
}

/// <summary>
/// What a token may be, for the API and for <c>muster tokens create</c> against the store alike. Only an organization token
/// that covers every crew may manage tokens, and only such a token with that right reaches token creation through the API,
/// so no token can create one wider than itself.
/// </summary>
public static class TokenRules
{
    /// <summary>The prefix of organization tokens' owner ids (<c>org:{token id}</c>): no user id may start with it.</summary>
    public const string OrganizationOwnerPrefix = "org:";

    private const int MaxCrews = 100;
    private const int MaxTextLength = 200;

    /// <summary>The request as a <see cref="NewToken"/>, or every field error that prevents it.</summary>
    public static (NewToken? Token, IReadOnlyList<FieldError> Problems) Check(CreateTokenRequest request)
    {
        var problems = new List<FieldError>();
        TokenKind? kind = request.Kind switch
        {
            "org" or "organization" => TokenKind.Organization,
            "user" => TokenKind.User,
            _ => null,
        };
        if (kind is null)
        {
            problems.Add(new FieldError("body.kind", "kind must be 'org' or 'user'"));
        }

        if (kind == TokenKind.User)
        {
            if (string.IsNullOrWhiteSpace(request.UserId))
            {
                problems.Add(new FieldError("body.user_id", "a user token needs user_id"));
            }
            else if (UserIdProblem(request.UserId) is { } problem)
            {
                problems.Add(new FieldError("body.user_id", problem));
            }
        }

        if (request.UserId is { Length: > MaxTextLength } || request.Name is { Length: > MaxTextLength })
        {
            problems.Add(new FieldError("body", $"user_id and name are at most {MaxTextLength} characters"));
        }

        var crews = request.Crews ?? [];
        if (crews.Count > MaxCrews || crews.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > MaxTextLength))
        {
            problems.Add(new FieldError("body.crews", "crews must be crew names"));
        }

        var manageTokens = request.ManageTokens == true;
        if (manageTokens && (kind != TokenKind.Organization || crews.Count > 0))
        {
            problems.Add(new FieldError("body.manage_tokens", "only an org token that covers every crew (no crews) may manage tokens"));
        }

        StatusShape? shape = request.StatusShape switch
        {
            null => null,
            "live" => StatusShape.Live,
            "documented" => StatusShape.Documented,
            _ => null,
        };
        if (request.StatusShape is not (null or "live" or "documented"))
        {
            problems.Add(new FieldError("body.status_shape", "status_shape must be 'live' or 'documented' (absent: the server's default)"));
        }

        var limits = CheckLimits(request.Limits, problems);
        return problems.Count > 0 || kind is null
            ? (null, problems)
            : (new NewToken(kind.Value, kind == TokenKind.User ? request.UserId : null, crews, request.Name, manageTokens, shape) { Limits = limits }, problems);
    }

    /// <summary>The limits asked for, or null when none is set; each set limit must be positive.</summary>
    private static TokenLimits? CheckLimits(TokenLimitsModel? asked, List<FieldError> problems)
    {
        if (asked is null)
        {
            return null;
        }

        Positive(asked.MaxTokensPerDay, "max_tokens_per_day");
        Positive(asked.MaxCostUsdPerDay, "max_cost_usd_per_day");
        Positive(asked.MaxTokensPerMonth, "max_tokens_per_month");
        Positive(asked.MaxCostUsdPerMonth, "max_cost_usd_per_month");

        // Costs are kept as whole nano-dollars: a limit finer than that would be rounded to another one.
        Precise(asked.MaxCostUsdPerDay, "max_cost_usd_per_day");
        Precise(asked.MaxCostUsdPerMonth, "max_cost_usd_per_month");
        var limits = new TokenLimits
        {
            MaxTokensPerDay = asked.MaxTokensPerDay,
            MaxCostUsdPerDay = asked.MaxCostUsdPerDay,
            MaxTokensPerMonth = asked.MaxTokensPerMonth,
            MaxCostUsdPerMonth = asked.MaxCostUsdPerMonth,
        };
        return limits.IsEmpty ? null : limits;

        void Positive<T>(T? value, string field)
            where T : struct, IComparable<T>
        {
            if (value is { } v && v.CompareTo(default) <= 0)
            {
                problems.Add(new FieldError($"body.limits.{field}", $"limits.{field} must be positive (leave it out for no limit)"));
            }
        }

        void Precise(decimal? value, string field)
        {
            if (value is { } v && (decimal.Round(v, 9) != v || v > MaxCostUsd))
            {
                problems.Add(new FieldError($"body.limits.{field}", $"limits.{field} must be at most 1,000,000,000 US dollars, with at most 9 decimals"));
            }
        }
    }

    // Nano-dollars fit a BIGINT up to about 9.2e9 dollars; no token needs more.
    private const decimal MaxCostUsd = 1_000_000_000m;

    /// <summary>Why <paramref name="userId"/> cannot be a user id, or null when it can.</summary>
    public static string? UserIdProblem(string userId) =>
        IsReservedUserId(userId)
            ? $"user_id may not start with '{OrganizationOwnerPrefix}': that prefix marks the runs of organization tokens (owner_id org:{{token id}})"
            : null;

    /// <summary>Whether <paramref name="userId"/> lies in the organization owners' namespace (any case, so no look-alike either).</summary>
    public static bool IsReservedUserId(string userId) => userId.StartsWith(OrganizationOwnerPrefix, StringComparison.OrdinalIgnoreCase);
}
