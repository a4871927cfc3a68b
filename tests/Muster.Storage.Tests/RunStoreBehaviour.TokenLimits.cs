using Muster.Contracts;
using Muster.Core.Costs;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    [StoreFact]
    public async Task ATokensLimits_AreStoredAndReadBack_AndATokenWithoutLimitsHasNone()
    {
        var limits = new TokenLimits { MaxTokensPerDay = 100_000, MaxCostUsdPerDay = 2.5m, MaxCostUsdPerMonth = 0.000000001m };
        await Tokens.CreateTokenAsync(Token("tok_limited") with { Limits = limits }, Ct);
        await Tokens.CreateTokenAsync(Token("tok_free"), Ct);

        (await Tokens.FindTokenByHashAsync("sha256-tok_limited", Ct))!.Limits.ShouldBe(limits);
        (await Tokens.FindTokenByHashAsync("sha256-tok_free", Ct))!.Limits.ShouldBeNull();
        (await Tokens.ListTokensAsync(Ct)).Single(t => t.Id == "tok_limited").Limits.ShouldBe(limits);
    }

    [StoreFact]
    public async Task ATokensSpend_SumsItsRunsCreatedInTheUtcDayAndInTheUtcMonth()
    {
        var now = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero);
        var dayStart = new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero);
        var monthStart = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await CreateWithSpendAsync("tok_x", now.AddHours(-4), new RunSpend(100, 1, 0.001m));
        await CreateWithSpendAsync("tok_x", dayStart.AddMilliseconds(-1), new RunSpend(200, 1, 0.002m));
        await CreateWithSpendAsync("tok_x", monthStart.AddHours(-1), new RunSpend(400, 1, 0.004m));
        await CreateWithSpendAsync("tok_y", now.AddHours(-3), new RunSpend(800, 1, 0.008m));
        await CreateWithSpendAsync("tok_x", dayStart, new RunSpend(10, 1, null));

        var spend = await Tokens.GetTokenSpendAsync("tok_x", dayStart, monthStart, Ct);

        spend.ShouldBe(new TokenSpend(DayTokens: 110, DayCostUsd: 0.001m, MonthTokens: 310, MonthCostUsd: 0.003m));
        (await Tokens.GetTokenSpendAsync("tok_none", dayStart, monthStart, Ct)).ShouldBe(new TokenSpend(0, 0m, 0, 0m));
    }

    private async Task CreateWithSpendAsync(string tokenId, DateTimeOffset createdAt, RunSpend spent)
    {
        var id = await CreateAsync(Run(createdAt, tokenId));
        // A long lease: the runs claimed before stay claimed whatever the claims' clocks say.
        (await Runs.TryClaimRunAsync("node-a", createdAt, TimeSpan.FromDays(365), Ct))!.Id.ShouldBe(id);
        await Runs.AppendEventAsync(
            Event(id, 1), new RunUpdate { Usage = new TokenUsage(spent.Tokens, 0, 0, 1, spent.CostUsd), Spent = spent }, [], Ct);
    }
}
