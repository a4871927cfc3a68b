using System.Globalization;
using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;

namespace Muster.Server.Console;

/// <summary>
/// The tokens page's create form as the <see cref="CreateTokenRequest"/> the API takes. A limit that is not a number is a
/// problem of its own, named as the API names its field, since the API would refuse it before checking the rest.
/// </summary>
internal static class TokenForm
{
    /// <summary>The form fields of the four limits, each the name of its JSON field in <c>limits</c>.</summary>
    public const string TokensPerDay = "max_tokens_per_day";
    public const string CostPerDay = "max_cost_usd_per_day";
    public const string TokensPerMonth = "max_tokens_per_month";
    public const string CostPerMonth = "max_cost_usd_per_month";

    public static (CreateTokenRequest Request, IReadOnlyList<FieldError> Problems) Read(IFormCollection form)
    {
        var problems = new List<FieldError>();
        var crews = form["crews"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var limits = new TokenLimitsModel
        {
            MaxTokensPerDay = Tokens(form, TokensPerDay, problems),
            MaxCostUsdPerDay = Dollars(form, CostPerDay, problems),
            MaxTokensPerMonth = Tokens(form, TokensPerMonth, problems),
            MaxCostUsdPerMonth = Dollars(form, CostPerMonth, problems),
        };
        var request = new CreateTokenRequest
        {
            Kind = form["kind"].ToString(),
            Name = Optional(form["name"].ToString()),
            UserId = Optional(form["user_id"].ToString()),
            Crews = crews.Length == 0 ? null : crews,
            ManageTokens = form["manage_tokens"].ToString() == "true",
            Limits = limits == new TokenLimitsModel() ? null : limits,
        };
        return (request, problems);
    }

    // People write 200,000 as often as 200000; both mean the same count.
    private static long? Tokens(IFormCollection form, string field, List<FieldError> problems)
    {
        if (Optional(form[field].ToString()) is not { } text)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }

        problems.Add(new FieldError($"body.limits.{field}", $"limits.{field} must be a whole number of tokens, such as 200000"));
        return null;
    }

    private static decimal? Dollars(IFormCollection form, string field, List<FieldError> problems)
    {
        if (Optional(form[field].ToString())?.TrimStart('$') is not { } text)
        {
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var dollars))
        {
            return dollars;
        }

        problems.Add(new FieldError($"body.limits.{field}", $"limits.{field} must be a number of US dollars, such as 5 or 0.25"));
        return null;
    }

    private static string? Optional(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
