using System.Net;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Costs;

/// <summary>
/// Budgets over real HTTP: crew.yaml's stops a run at the call that reaches it, with the error and the
/// <c>crew_budget_exceeded</c> event; a kickoff may tighten it (and the tighter one holds) but never loosen it (422).
/// </summary>
public sealed class BudgetApiTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        WriteCrews = path => TestCrews.Write(path, "research",
            "name: research\nbudget:\n  max_total_tokens: 1000\n  max_llm_calls: 10",
            "researcher:\n  role: Researcher\n  goal: Find facts about {topic}\n  backstory: Careful.",
            "first:\n  description: Research {topic}.\n  expected_output: Facts.\n  agent: researcher\n" +
            "second:\n  description: Research {topic} again.\n  expected_output: Facts.\n  agent: researcher\n" +
            "third:\n  description: Research {topic} a third time.\n  expected_output: Facts.\n  agent: researcher"),
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheCrewsTokenBudget_StopsTheRunAtTheCallThatCrossesIt()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        _server.Simulator.Enqueue(SimulatedReply.Text("One.", 400, 100), SimulatedReply.Text("Two.", 500, 100), SimulatedReply.Text("Three.", 10, 10));

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" });
        var status = await client.WaitForFinishAsync(id);

        status["status"]!.GetValue<string>().ShouldBe("error", status.ToJsonString());
        status["error"]!.GetValue<string>().ShouldBe("Budget exceeded: 1,100 of 1,000 tokens");
        var events = JsonNode.Parse(await client.GetStringAsync($"/api/crew-runs/{id}/events"))!.AsArray();
        var exceeded = events.Single(e => e!["type"]!.GetValue<string>() == "crew_budget_exceeded")!["data"]!;
        exceeded.ToJsonString().ShouldBe("""{"budget":"max_total_tokens","limit":1000,"spent":1100,"error":"Budget exceeded: 1,100 of 1,000 tokens"}""");
        events[^1]!["type"]!.GetValue<string>().ShouldBe("crew_kickoff_failed");
        events.Count(e => e!["type"]!.GetValue<string>() == "llm_call_completed").ShouldBe(2);
        var (_, record) = await client.GetJsonAsync($"/api/crew-runs/{id}");
        record["status"]!.GetValue<string>().ShouldBe("failed");
        record["error"]!.GetValue<string>().ShouldBe("Budget exceeded: 1,100 of 1,000 tokens");
    }

    [Fact]
    public async Task AKickoffBudget_TightensTheCrews()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);

        using var response = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "tides" },
            ["budget"] = new JsonObject { ["max_llm_calls"] = 2 },
        });
        var (code, body) = await response.ReadJsonAsync();
        code.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
        var status = await client.WaitForFinishAsync(Guid.Parse(body["kickoff_id"]!.GetValue<string>()));

        status["error"]!.GetValue<string>().ShouldBe("Budget exceeded: 2 of 2 LLM calls");
    }

    [Fact]
    public async Task AKickoffBudget_ThatWouldLoosenTheCrews_Answers422AndStartsNothing()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);

        using var response = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "tides" },
            ["budget"] = new JsonObject { ["max_total_tokens"] = 5000 },
        });
        var (code, body) = await response.ReadJsonAsync();

        code.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        body["details"]!["budget"]!.GetValue<string>()
            .ShouldBe("A kickoff's budget may only tighten the crew's: budget.max_total_tokens 5,000 is above the crew's 1,000.");
        (await client.GetStringAsync("/api/crew-runs")).ShouldBe("[]");
    }

    [Fact]
    public async Task AKickoffBudget_WithAMistypedLimit_Answers400NamingIt()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);

        using var response = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "tides" },
            ["budget"] = new JsonObject { ["max_tokens"] = 5 },
        });
        var (code, body) = await response.ReadJsonAsync();

        code.ShouldBe(HttpStatusCode.BadRequest, body.ToJsonString());
        body["message"]!.GetValue<string>().ShouldContain("budget.max_tokens is not a budget field");
    }
}
