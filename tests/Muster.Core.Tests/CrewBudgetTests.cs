using System.Text.Json;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Crews;

namespace Muster.Core.Tests;

/// <summary>crew.yaml's budget, a kickoff's tightening of it, and the prices a call is charged at.</summary>
public sealed class CrewBudgetTests
{
    private const string OneAgent = "writer:\n  role: Writer\n  goal: Write\n  backstory: B\n";
    private const string OneTask = "t:\n  description: D\n  expected_output: E\n  agent: writer\n";

    [Fact]
    public void CrewYaml_Budget_IsLoadedWithEveryLimit()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", OneTask);
        folder.Write("crew.yaml", "budget:\n  max_total_tokens: 10_000\n  max_cost_usd: 0.50\n  max_llm_calls: 20\n  max_duration: 1h30m\n");

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Diagnostics.ShouldBeEmpty();
        result.Crew!.Budget.ShouldBe(new CrewBudget
        {
            MaxTotalTokens = 10_000, MaxCostUsd = 0.50m, MaxLlmCalls = 20, MaxDuration = TimeSpan.FromMinutes(90),
        });
    }

    [Theory]
    [InlineData("budget:\n  max_total_tokens: lots\n", 2, "budget: max_total_tokens must be a positive whole number")]
    [InlineData("budget:\n  max_cost_usd: -1\n", 2, "budget: max_cost_usd must be a positive number")]
    [InlineData("budget:\n  max_duration: soon\n", 2, "budget: max_duration must be a positive number of seconds")]
    [InlineData("budget:\n  max_tokens: 5\n", 2, "budget: 'max_tokens' is not a budget field")]
    [InlineData("budget: 100\n", 1, "budget must be a mapping")]
    public void CrewYaml_ABadBudget_IsReportedWithItsLine(string crewYaml, int line, string message)
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", OneTask);
        folder.Write("crew.yaml", crewYaml);

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Crew.ShouldBeNull();
        var error = result.Errors.ShouldHaveSingleItem();
        error.Line.ShouldBe(line);
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void AKickoffBudget_TightensTheCrewsLimitByLimit()
    {
        var crew = new CrewBudget { MaxTotalTokens = 10_000, MaxCostUsd = 1m };

        var budget = CrewBudget.Tighten(crew, new CrewBudget { MaxTotalTokens = 5_000, MaxLlmCalls = 3 }, out var refusal);

        refusal.ShouldBeNull();
        budget.ShouldBe(new CrewBudget { MaxTotalTokens = 5_000, MaxCostUsd = 1m, MaxLlmCalls = 3 });
    }

    [Fact]
    public void AKickoffBudget_ThatWouldLoosenTheCrews_IsRefusedNamingTheLimit()
    {
        var crew = new CrewBudget { MaxTotalTokens = 10_000, MaxDuration = TimeSpan.FromMinutes(1) };

        var budget = CrewBudget.Tighten(crew, new CrewBudget { MaxTotalTokens = 20_000, MaxDuration = TimeSpan.FromSeconds(30) }, out var refusal);

        budget.ShouldBeNull();
        refusal.ShouldBe("A kickoff's budget may only tighten the crew's: budget.max_total_tokens 20,000 is above the crew's 10,000.");
    }

    [Theory]
    [InlineData("""{"max_total_tokens": 0}""", "budget.max_total_tokens must be a positive whole number.")]
    [InlineData("""{"max_cost_usd": "1"}""", "budget.max_cost_usd must be a positive number of US dollars.")]
    [InlineData("""{"max_time": 5}""", "budget.max_time is not a budget field")]
    public void ABudgetInJson_WithAMistake_SaysWhich(string json, string message) =>
        Should.Throw<CrewBudgetJsonException>(() => JsonSerializer.Deserialize<CrewBudget>(json)).Reason.ShouldStartWith(message);

    [Fact]
    public void ABudgetInJson_ReadsDurationsInSecondsOrWithAUnit()
    {
        JsonSerializer.Deserialize<CrewBudget>("""{"max_duration": 90}""")!.MaxDuration.ShouldBe(TimeSpan.FromSeconds(90));
        JsonSerializer.Deserialize<CrewBudget>("""{"max_duration": "2m"}""")!.MaxDuration.ShouldBe(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void Prices_ComeFromTheDatedShippedFile_AndTheOperatorsWinModelByModel()
    {
        var options = new LlmPriceOptions { Prices = { ["openai/gpt-4o-mini"] = new ModelPrice { Input = 1m, Output = 2m } } };

        var prices = new PriceList(Options.Create(options));

        prices.FileDate.ShouldBeGreaterThan(new DateOnly(2025, 1, 1));
        prices.Find("gpt-4o-mini")!.Input.ShouldBe(1m);
        prices.Find("openai/gpt-4o")!.Input.ShouldBe(2.50m);
        prices.Find("nobody/nothing").ShouldBeNull();
    }

    [Fact]
    public void ACallsCost_ChargesCachedInputAndCacheWritesAtTheirOwnPrices()
    {
        var options = new LlmPriceOptions { Prices = { ["x/m"] = new ModelPrice { Input = 3m, Output = 15m, CachedInput = 0.30m, CacheWrite = 3.75m } } };
        var prices = new PriceList(Options.Create(options));

        // 1,000,000 input tokens of which 200,000 cached and 100,000 written to the cache, and 100,000 output tokens.
        var cost = prices.CostOf("x/m", new TokenUsage(1_000_000, 100_000, 200_000, 1), cacheWriteTokens: 100_000);

        cost.ShouldBe((700_000 * 3m + 200_000 * 0.30m + 100_000 * 3.75m + 100_000 * 15m) / 1_000_000m);
        prices.CostOf("y/unpriced", new TokenUsage(10, 10, 0, 1), 0).ShouldBeNull();
    }

    [Fact]
    public void APriceWithoutOutput_FailsTheStartNamingTheSetting()
    {
        var options = new LlmPriceOptions { Prices = { ["x/m"] = new ModelPrice { Input = 3m } } };

        var result = new LlmPriceOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("Muster:Llm:Prices:x/m needs Input and Output");
    }
}
