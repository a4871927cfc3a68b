using System.Globalization;
using Muster.Contracts.Tokens;

namespace Muster.Cli.Commands;

/// <summary>A token's limits as <c>muster tokens list</c> shows them: <c>100,000 tokens/day, $5/month</c>, or <c>none</c>.</summary>
internal static class TokenLimitTexts
{
    public static string Describe(TokenLimitsModel? limits)
    {
        if (limits is null)
        {
            return "none";
        }

        List<string> parts = [];
        if (limits.MaxTokensPerDay is { } tokensPerDay)
        {
            parts.Add($"{tokensPerDay.ToString("N0", CultureInfo.InvariantCulture)} tokens/day");
        }

        if (limits.MaxCostUsdPerDay is { } costPerDay)
        {
            parts.Add($"${costPerDay.ToString(CultureInfo.InvariantCulture)}/day");
        }

        if (limits.MaxTokensPerMonth is { } tokensPerMonth)
        {
            parts.Add($"{tokensPerMonth.ToString("N0", CultureInfo.InvariantCulture)} tokens/month");
        }

        if (limits.MaxCostUsdPerMonth is { } costPerMonth)
        {
            parts.Add($"${costPerMonth.ToString(CultureInfo.InvariantCulture)}/month");
        }

        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
