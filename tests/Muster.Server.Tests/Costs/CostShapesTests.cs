using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.Webhooks;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Costs;

/// <summary>
/// <c>cost_usd</c> beside the token usage of every shape that carries one, over real HTTP: the AMP status, the crew-runs
/// record and its tasks, the events, and the crew and event-stream webhooks. The AMP fields all stay.
/// </summary>
public sealed class CostShapesTests : IAsyncLifetime
{
    // openai/simulated at $2 in and $10 out per million tokens: 1,000/500 tokens cost $0.007, 2,000/100 cost $0.005.
    private static readonly Dictionary<string, string?> Prices = SimulatedPrices.Settings();

    private readonly WebhookTestServer _servers = new(path =>
    {
        TestCrews.WriteTwoTaskCrew(path);
        TestCrews.Write(path, "unpriced", "name: unpriced\nllm: openai/no-price-known", "a:\n  role: A\n  goal: G\n  backstory: B", "t:\n  description: D\n  expected_output: E\n  agent: a");
    });

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _servers.Dispose();
    }

    [Fact]
    public async Task APricedRun_CarriesItsCost_InEveryShape()
    {
        await using var muster = await _servers.StartAsync(extra: Prices);
        using var client = muster.CreateClient(muster.BootstrapToken);
        muster.Simulator.Enqueue(SimulatedReply.Text("Facts.", 1000, 500), SimulatedReply.Text("Report.", 2000, 100));

        using var kickoff = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "tides" },
            ["crewWebhookUrl"] = _receiver.Url("crew"),
            ["webhooks"] = new JsonObject { ["url"] = _receiver.Url("events"), ["events"] = new JsonArray("llm_call_completed", "crew_kickoff_completed"), ["realtime"] = true },
        }, "/crews/research");
        var (code, started) = await kickoff.ReadJsonAsync();
        code.ShouldBe(HttpStatusCode.OK, started.ToJsonString());
        var id = Guid.Parse(started["kickoff_id"]!.GetValue<string>());
        var status = await client.WaitForFinishAsync(id, "/crews/research");

        status["status"]!.GetValue<string>().ShouldBe("completed", status.ToJsonString());
        Usage(status).ShouldBe("""{"total_tokens":3600,"prompt_tokens":3000,"completion_tokens":600,"cached_prompt_tokens":0,"successful_requests":2,"cost_usd":0.012}""");

        var (_, record) = await client.GetJsonAsync($"/api/crew-runs/{id}");
        Usage(record).ShouldBe(Usage(status));
        record["tasks"]!.AsArray().Select(t => t!["token_usage"]!["cost_usd"]!.GetValue<decimal>()).ShouldBe([0.007m, 0.005m]);

        var events = JsonNode.Parse(await client.GetStringAsync($"/api/crew-runs/{id}/events"))!.AsArray();
        events.Where(e => e!["type"]!.GetValue<string>() == "llm_call_completed")
            .Select(e => e!["data"]!["token_usage"]!["cost_usd"]!.GetValue<decimal>()).ShouldBe([0.007m, 0.005m]);
        Usage(events.Single(e => e!["type"]!.GetValue<string>() == "crew_kickoff_completed")!["data"]!).ShouldBe(Usage(status));

        var crew = (await _receiver.WaitForAcceptedAsync(1, r => r.Path == "/crew"))[0].Json();
        crew["token_usage"]!.ToJsonString().ShouldBe("""{"total_tokens":3600,"prompt_tokens":3000,"completion_tokens":600,"cost_usd":0.012}""");
        crew.Select(p => p.Key).ShouldBe(["kickoff_id", "result", "result_json", "token_usage", "meta"]);
        var streamed = (await _receiver.WaitForAcceptedAsync(3, r => r.Path == "/events"))
            .SelectMany(r => r.Json()["events"]!.AsArray())
            .Select(e => e!["data"]!["token_usage"]!["cost_usd"]!.GetValue<decimal>());
        streamed.ShouldBe([0.007m, 0.005m, 0.012m]);
    }

    [Fact]
    public async Task ARunOfAModelWithoutAPrice_SaysItsCostIsNull_NotZero()
    {
        await using var muster = await _servers.StartAsync(extra: Prices);
        using var client = muster.CreateClient(muster.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject(), "/crews/unpriced");
        var status = await client.WaitForFinishAsync(id, "/crews/unpriced");

        status["status"]!.GetValue<string>().ShouldBe("completed", status.ToJsonString());
        var usage = status["token_usage"]!.AsObject();
        usage.ContainsKey("cost_usd").ShouldBeTrue();
        usage["cost_usd"].ShouldBeNull();
        usage["total_tokens"]!.GetValue<long>().ShouldBeGreaterThan(0);
        var (_, record) = await client.GetJsonAsync($"/api/crew-runs/{id}");
        record["token_usage"]!.AsObject().ContainsKey("cost_usd").ShouldBeTrue();
        record["token_usage"]!["cost_usd"].ShouldBeNull();
    }

    private static string Usage(JsonNode body) => body["token_usage"]!.ToJsonString();
}
