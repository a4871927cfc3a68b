using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.CrewRuns;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>What a model used to CrewAI answers, and what CrewAI's YAML writes, as the API shows them.</summary>
public sealed class CrewAiAnswerTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AnAnswerInCrewAisReActForm_KeepsWhatFollowsFinalAnswer_AsCrewAiDoes()
    {
        _server.Simulator.Responder = request => SimulatedReply.Text(
            $"Thought: I now can give a great answer\nFinal Answer: {(request.Mentions("task two") ? "The report." : "The facts.")}\n");
        using var client = _server.CreateClient(_server.BootstrapToken);
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "owls" });

        var done = await client.WaitForFinishAsync(id);
        var events = await client.GetArrayAsync($"/api/crew-runs/{id}/events");

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        done["result"]!["output"]!.GetValue<string>().ShouldBe("The report.");
        done["result"]!["tasks"]!.AsArray().Select(t => t!["output"]!.GetValue<string>()).ShouldBe(["The facts.", "The report."]);
        // The second task's context is the first one's answer, not its reasoning.
        _server.Simulator.Requests.ShouldContain(r => r.Mentions("task two") && r.Mentions("The facts.") && !r.Mentions("Thought:"));
        var finalStep = events.Last(e => e!["type"]!.GetValue<string>() == "agent_step")!["data"]!;
        finalStep["thought"]!.GetValue<string>().ShouldStartWith("Thought: I now can give a great answer");
        finalStep["result"]!.GetValue<string>().ShouldBe("The report.");
    }

    [Fact]
    public async Task ARoleInYamlsFoldedStyle_ReachesThePromptWhole_ButTheApiShowsItTrimmed()
    {
        _server.Simulator.Responder = null;
        using var client = _server.CreateClient(_server.BootstrapToken);
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "owls" });

        var done = await client.WaitForFinishAsync(id);
        var record = (await client.GetJsonAsync($"/api/crew-runs/{id}")).Body;
        var events = await client.GetArrayAsync($"/api/crew-runs/{id}/events");

        _server.Simulator.Requests.ShouldContain(r => r.Messages[0].Content!.StartsWith("You are owls Writer\n.", StringComparison.Ordinal));
        done["result"]!["tasks"]!.AsArray().Select(t => t!["agent"]!.GetValue<string>()).ShouldBe(["owls Researcher", "owls Writer"]);
        record["tasks"]!.AsArray().Select(t => t!["agent"]!.GetValue<string>()).ShouldBe(["owls Researcher", "owls Writer"]);
        var agents = events.Select(e => e!["data"]!["agent"]).OfType<JsonValue>().Select(a => a.GetValue<string>()).ToList();
        agents.ShouldContain("owls Writer");
        agents.ShouldAllBe(agent => agent == agent.Trim());
    }
}
