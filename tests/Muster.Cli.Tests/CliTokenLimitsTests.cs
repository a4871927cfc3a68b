using System.Text.Json.Nodes;

namespace Muster.Cli.Tests;

/// <summary><c>muster tokens create</c> with spending limits, through the API and straight into the store, and <c>tokens list</c> showing them.</summary>
public sealed class CliTokenLimitsTests(CliServer live) : IClassFixture<CliServer>
{
    [Fact]
    public async Task TokensCreate_WithLimits_StoresThem_AndTokensListShowsThem()
    {
        var connection = $"Data Source={live.Server.DatabasePath}";

        var throughApi = await live.RunAsync(
            "tokens", "create", "--kind", "user", "--user", "budgeted", "--name", "budgeted via api",
            "--max-cost-usd-per-day", "0.5", "--max-tokens-per-month", "200000", "--json");
        var inStore = await live.RunAsync(
            "tokens", "create", "--kind", "org", "--name", "budgeted in store", "--max-tokens-per-day", "1000", "--max-cost-usd-per-month", "20",
            "--connection-string", connection, "--json");
        var listed = await live.RunAsync("tokens", "list");
        var zero = await live.RunAsync("tokens", "create", "--kind", "org", "--max-tokens-per-day", "0");

        throughApi.ExitCode.ShouldBe(0, throughApi.ToString());
        JsonNode.Parse(throughApi.Stdout)!["info"]!["limits"]!.ToJsonString().ShouldBe("""{"max_cost_usd_per_day":0.5,"max_tokens_per_month":200000}""");
        inStore.ExitCode.ShouldBe(0, inStore.ToString());
        JsonNode.Parse(inStore.Stdout)!["info"]!["limits"]!.ToJsonString().ShouldBe("""{"max_tokens_per_day":1000,"max_cost_usd_per_month":20}""");
        listed.ExitCode.ShouldBe(0, listed.ToString());
        listed.Stdout.ShouldContain("LIMITS");
        listed.StdoutLines.ShouldContain(l => l.Contains("budgeted via api") && l.Contains("$0.5/day, 200,000 tokens/month"));
        listed.StdoutLines.ShouldContain(l => l.Contains("budgeted in store") && l.Contains("1,000 tokens/day, $20/month"));
        zero.ExitCode.ShouldBe(2, zero.ToString());
        zero.Stderr.ShouldContain("must be positive");
    }
}
