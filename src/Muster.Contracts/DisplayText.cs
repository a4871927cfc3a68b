using System.Globalization;
using Muster.Contracts.Tokens;

namespace Muster.Contracts;

/// <summary>
/// Values as people read them, written the same way by the CLI and the web console, on every machine (invariant culture).
/// </summary>
public static class DisplayText
{
    /// <summary>
    /// US dollars to the cent (<c>$1,234.50</c>); an amount above 0 but below a cent to the nano-dollar the engine counts in
    /// (<c>$0.000123</c>), so a small cost never reads <c>$0.00</c>.
    /// </summary>
    public static string Usd(decimal amount) =>
        "$" + amount.ToString(amount is > 0 and < 0.01m ? "0.00#######" : "#,0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// A token's spending limits, as set: <c>200,000 tokens/day, $5/day, 3,000,000 tokens/month, $60/month</c>, or <c>none</c>.
    /// </summary>
    public static string TokenLimits(TokenLimitsModel? limits)
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
