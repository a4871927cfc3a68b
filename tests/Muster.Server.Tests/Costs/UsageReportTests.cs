using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.Webhooks;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Costs;

/// <summary>
/// <c>GET /api/usage</c> over real HTTP: its sums against the runs' own usage for each grouping, a user token's view, and
/// the 422s of a bad query.
/// </summary>
public sealed class UsageReportTests : IDisposable
{
    // openai/simulated at $2 in and $10 out per million tokens.
    private static readonly Dictionary<string, string?> Prices = SimulatedPrices.Settings();

    private readonly WebhookTestServer _servers = new(path =>
    {
        TestCrews.WriteTwoTaskCrew(path);
        TestCrews.Write(path, "unpriced", "name: unpriced\nllm: openai/no-price-known", "a:\n  role: A\n  goal: G\n  backstory: B", "t:\n  description: D\n  expected_output: E\n  agent: a");
    });

    public void Dispose() => _servers.Dispose();

    [Fact]
    public async Task TheUsageReport_SumsTheRunsOwnUsage_PerCrewModelOwnerAndDay_AndAUserSeesOnlyItsOwn()
    {
        await using var muster = await _servers.StartAsync(extra: Prices);
        using var org = muster.CreateClient(muster.BootstrapToken);
        using var alice = muster.CreateClient(await org.CreateTokenAsync("user", "alice"));

        // alice: 3,000 in and 600 out, $0.012. The organization: 300 in and 30 out, $0.0009, and a run of an unpriced model.
        muster.Simulator.Enqueue(SimulatedReply.Text("Facts.", 1000, 500), SimulatedReply.Text("Report.", 2000, 100));
        var aliceRun = await RunAsync(alice, "research");
        muster.Simulator.Enqueue(SimulatedReply.Text("Facts.", 100, 10), SimulatedReply.Text("Report.", 200, 20));
        var orgRun = await RunAsync(org, "research");
        var unpricedRun = await RunAsync(org, "unpriced");

        var runs = new[] { aliceRun, orgRun, unpricedRun };
        var byCrew = await ReportAsync(org, "crew");
        byCrew.Select(g => g.Key).ShouldBe(["research", "unpriced"]);
        byCrew[0].ShouldBe(Sum("research", aliceRun, orgRun));
        byCrew[0].ShouldBe(new Group("research", 3300, 630, 3930, 4, 0.0129m));
        byCrew[1].ShouldBe(Sum("unpriced", unpricedRun));
        byCrew[1].CostUsd.ShouldBeNull("a call without a price makes its group's cost unknown, never 0");

        var byModel = await ReportAsync(org, "model");
        byModel.ShouldBe([Sum("openai/no-price-known", unpricedRun), Sum("openai/simulated", aliceRun, orgRun)]);

        var byOwner = await ReportAsync(org, "owner");
        byOwner.Select(g => g.Key).ShouldBe(["alice", orgRun["owner_id"]!.GetValue<string>()]);
        byOwner[0].ShouldBe(Sum("alice", aliceRun));
        byOwner[1].ShouldBe(Sum(byOwner[1].Key, orgRun, unpricedRun));

        var byDay = await ReportAsync(org, "day");
        byDay.Select(g => DateOnly.ParseExact(g.Key, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ShouldBeInOrder();
        byDay.Sum(g => g.TotalTokens).ShouldBe(runs.Sum(r => Usage(r)["total_tokens"]!.GetValue<long>()));
        byDay.Sum(g => g.LlmCalls).ShouldBe(runs.Sum(r => Usage(r)["successful_requests"]!.GetValue<long>()));

        (await ReportAsync(alice, "crew")).ShouldBe([Sum("research", aliceRun)], "a user token sees only its own usage");
        (await ReportAsync(alice, "owner")).Select(g => g.Key).ShouldBe(["alice"]);
    }

    [Fact]
    public async Task TheUsageReport_CountsOnlyCallsInsideItsWindow_AndSaysWhatItWasAsked()
    {
        await using var muster = await _servers.StartAsync(extra: Prices);
        using var org = muster.CreateClient(muster.BootstrapToken);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await RunAsync(org, "research");

        var (code, report) = await org.GetJsonAsync($"/api/usage?group_by=model&from={Uri.EscapeDataString(before.AddDays(-3).ToString("O"))}&to={Uri.EscapeDataString(before.ToString("O"))}");

        code.ShouldBe(HttpStatusCode.OK, report.ToJsonString());
        report["group_by"]!.GetValue<string>().ShouldBe("model");
        report["groups"]!.AsArray().ShouldBeEmpty("the run's calls came after the window");
        (await ReportAsync(org, "model")).ShouldHaveSingleItem().LlmCalls.ShouldBe(2, "the default window, the last 7 days, holds them");
    }

    [Fact]
    public async Task ABadQuery_Answers422_NamingTheParameter()
    {
        await using var muster = await _servers.StartAsync(extra: Prices);
        using var org = muster.CreateClient(muster.BootstrapToken);
        (string Query, string Location)[] cases =
        [
            ("from=yesterday", "query.from"),
            ("to=2026-13-45T00:00:00Z", "query.to"),
            ("group_by=week", "query.group_by"),
            ("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "query.from"),
            ("group_by=crew&group_by=model", "query.group_by"),
        ];

        foreach (var (query, location) in cases)
        {
            var (code, body) = await org.GetJsonAsync($"/api/usage?{query}");

            code.ShouldBe(HttpStatusCode.UnprocessableEntity, $"{query}: {body.ToJsonString()}");
            body["detail"]!.AsArray().Select(e => e!["loc"]!.GetValue<string>()).ShouldContain(location, query);
        }
    }

    private static async Task<JsonNode> RunAsync(HttpClient client, string crew)
    {
        var inputs = crew == "research" ? new JsonObject { ["topic"] = "tides" } : new JsonObject();
        var id = await client.KickoffAsync(inputs, $"/crews/{crew}");
        var status = await client.WaitForFinishAsync(id, $"/crews/{crew}");
        status["status"]!.GetValue<string>().ShouldBe("completed", status.ToJsonString());
        var (_, record) = await client.GetJsonAsync($"/api/crew-runs/{id}");
        return record;
    }

    private static async Task<IReadOnlyList<Group>> ReportAsync(HttpClient client, string groupBy)
    {
        var (code, report) = await client.GetJsonAsync($"/api/usage?group_by={groupBy}");
        code.ShouldBe(HttpStatusCode.OK, report.ToJsonString());
        return [.. report["groups"]!.AsArray().Select(g => new Group(
            g!["key"]!.GetValue<string>(),
            g["prompt_tokens"]!.GetValue<long>(),
            g["completion_tokens"]!.GetValue<long>(),
            g["total_tokens"]!.GetValue<long>(),
            g["llm_calls"]!.GetValue<long>(),
            g.AsObject().ContainsKey("cost_usd") ? g["cost_usd"]?.GetValue<decimal>() : throw new ShouldAssertException("cost_usd is missing")))];
    }

    private static JsonNode Usage(JsonNode run) => run["token_usage"]!;

    /// <summary>The runs' own usage, summed as the report should have it.</summary>
    private static Group Sum(string key, params JsonNode[] runs) => new(
        key,
        runs.Sum(r => Usage(r)["prompt_tokens"]!.GetValue<long>()),
        runs.Sum(r => Usage(r)["completion_tokens"]!.GetValue<long>()),
        runs.Sum(r => Usage(r)["total_tokens"]!.GetValue<long>()),
        runs.Sum(r => Usage(r)["successful_requests"]!.GetValue<long>()),
        runs.Select(r => Usage(r)["cost_usd"]?.GetValue<decimal>()).Aggregate((decimal?)0m, (sum, cost) => sum + cost));

    private sealed record Group(string Key, long PromptTokens, long CompletionTokens, long TotalTokens, long LlmCalls, decimal? CostUsd);
}
