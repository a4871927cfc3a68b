using Muster.Contracts;
using Muster.Contracts.Tokens;

namespace Muster.Core.Tests;

/// <summary>The text the CLI and the web console both show for a cost and for a token's limits.</summary>
public sealed class DisplayTextTests
{
    [Theory]
    [InlineData("0", "$0.00")]
    [InlineData("0.012", "$0.01")]
    [InlineData("1234.5", "$1,234.50")]
    [InlineData("0.0045", "$0.0045")]
    [InlineData("0.002088", "$0.002088")]
    [InlineData("0.000000001", "$0.000000001")]
    public void Usd_IsToTheCent_AndBelowACentToTheNanoDollar(string amount, string shown) =>
        DisplayText.Usd(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(shown);

    [Fact]
    public void TokenLimits_NamesEachLimitAsSet_OrNone()
    {
        DisplayText.TokenLimits(null).ShouldBe("none");
        DisplayText.TokenLimits(new TokenLimitsModel()).ShouldBe("none");
        DisplayText.TokenLimits(new TokenLimitsModel { MaxTokensPerDay = 200_000, MaxCostUsdPerDay = 5m, MaxTokensPerMonth = 3_000_000, MaxCostUsdPerMonth = 0.5m })
            .ShouldBe("200,000 tokens/day, $5/day, 3,000,000 tokens/month, $0.5/month");
    }
}
