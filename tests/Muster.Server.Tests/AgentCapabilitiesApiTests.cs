using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.CrewRuns;
using Muster.Server.Tests.Webhooks;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>A hierarchical crew with structured output, end to end through the AMP API, the simulator and webhooks.</summary>
public sealed class AgentCapabilitiesApiTests : IAsyncLifetime
{
    private readonly WebhookTestServer _server = new(WriteEditorialCrew);
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _server.Dispose();
    }

    private static void WriteEditorialCrew(string crewsPath) => TestCrews.Write(crewsPath, "editorial",
        """
        name: editorial
        process: hierarchical
        manager_llm: openai/manager-model
        """,
        """
        writer:
          role: "Staff Writer"
          goal: "Write about {topic}"
          backstory: "Writes clearly."
        fact_checker:
          role: "Fact Checker"
          goal: "Check facts"
          backstory: "Doubts everything."
        """,
        """
        headline_task:
          description: "Produce a headline about {topic}."
          expected_output: "A headline and its length in words."
          output_json:
            type: object
            properties:
              headline: {type: string, minLength: 5}
              words: {type: integer, minimum: 1}
            required: [headline, words]
        """);

    [Fact]
    public async Task HierarchicalKickoff_ManagerDelegates_AndTheCrewWebhookCarriesResultJson()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);
        muster.Simulator.Enqueue(
            SimulatedReply.ToolCalls(new SimulatedToolCall(
                "delegate_work_to_coworker", """{"task": "Write a headline about tides", "context": "Short and exact.", "coworker": "staff writer"}""")),
            SimulatedReply.Text("Why the Moon Moves the Sea"),
            SimulatedReply.Text("""{"headline": "Why", "words": 1}"""),
            SimulatedReply.Text("""{"headline": "Why the Moon Moves the Sea", "words": 6}"""));

        using var response = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "tides" },
            ["taskWebhookUrl"] = _receiver.Url("task"),
            ["crewWebhookUrl"] = _receiver.Url("crew"),
        }, "/crews/editorial");
        var (kickoffStatus, kickoff) = await response.ReadJsonAsync();
        kickoffStatus.ShouldBe(HttpStatusCode.OK, kickoff.ToJsonString());
        var id = Guid.Parse(kickoff["kickoff_id"]!.GetValue<string>());

        var done = await client.WaitForFinishAsync(id, "/crews/editorial");
        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        var task = done["result"]!["tasks"]![0]!;
        task["agent"]!.GetValue<string>().ShouldBe("Crew Manager");
        JsonNode.Parse(task["output"]!.GetValue<string>())!["words"]!.GetValue<int>().ShouldBe(6);

        var requests = muster.Simulator.Requests;
        requests.Count.ShouldBe(4);
        requests[0].Model.ShouldBe("manager-model");
        requests[0].ResponseFormat!["type"]!.GetValue<string>().ShouldBe("json_schema");
        requests[1].Messages[0].Content!.ShouldContain("You are Staff Writer");
        requests[3].LastUserMessage!.ShouldContain("/headline");

        var crew = (await _receiver.WaitForAcceptedAsync(1, r => r.Path == "/crew")).Single().Json();
        crew["result_json"]!.ToJsonString().ShouldBe("""{"headline":"Why the Moon Moves the Sea","words":6}""");
        var taskWebhook = (await _receiver.WaitForAcceptedAsync(1, r => r.Path == "/task")).Single().Json();
        taskWebhook["output_json"]!["headline"]!.GetValue<string>().ShouldBe("Why the Moon Moves the Sea");
        taskWebhook["agent"]!.GetValue<string>().ShouldBe("Crew Manager");

        var events = await client.GetArrayAsync($"/api/crew-runs/{id}/events");
        var types = events.Select(e => e!["type"]!.GetValue<string>()).ToList();
        types.ShouldContain("tool_usage_finished");
        types.ShouldContain("output_validation_failed");
    }
}
