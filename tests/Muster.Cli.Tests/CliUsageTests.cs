using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Cli.Tests;

/// <summary><c>muster usage</c> against a real server of its own (its report must hold this test's runs only), with prices.</summary>
public sealed class CliUsageTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    private Dictionary<string, string?> Environment => new()
    {
        ["MUSTER_URL"] = _server.BaseAddress.ToString(),
        ["MUSTER_TOKEN"] = _server.BootstrapToken,
    };

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?>
        {
            ["Muster:Llm:Prices:openai/simulated:Input"] = "2",
            ["Muster:Llm:Prices:openai/simulated:Output"] = "10",
        },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Usage_PrintsTokensCallsAndCostPerGroup_AsATableOrJson_AndRefusesABadGrouping()
    {
        _server.Simulator.Enqueue(SimulatedReply.Text("Facts.", 1000, 500), SimulatedReply.Text("Report.", 2000, 100));
        var kickoff = await CliProcess.RunAsync(Environment, "kickoff", "--crew", "research", "-i", "topic=tides", "--wait");
        kickoff.ExitCode.ShouldBe(0, kickoff.ToString());

        var table = await CliProcess.RunAsync(Environment, "usage", "--group-by", "model");
        var json = await CliProcess.RunAsync(Environment, "usage", "--group-by", "crew", "--json");
        var badGroup = await CliProcess.RunAsync(Environment, "usage", "--group-by", "week");
        var badTime = await CliProcess.RunAsync(Environment, "usage", "--from", "yesterday");

        table.ExitCode.ShouldBe(0, table.ToString());
        table.StdoutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["MODEL", "CALLS", "PROMPT", "COMPLETION", "TOTAL", "COST"]);
        table.StdoutLines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["openai/simulated", "2", "3,000", "600", "3,600", "$0.01"]);
        json.ExitCode.ShouldBe(0, json.ToString());
        var groups = JsonNode.Parse(json.Stdout)!["groups"]!.AsArray();
        groups.Select(g => g!.ToJsonString()).ShouldBe(
            ["""{"key":"research","prompt_tokens":3000,"completion_tokens":600,"total_tokens":3600,"llm_calls":2,"cost_usd":0.012}"""]);
        badGroup.ExitCode.ShouldNotBe(0, badGroup.ToString());
        badTime.ExitCode.ShouldNotBe(0, badTime.ToString());
        badTime.Stderr.ShouldContain("--from must be an ISO-8601 timestamp");
    }
}
