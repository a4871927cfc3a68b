using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>AG-UI's tool call events, from a real run whose manager calls a tool, over real HTTP.</summary>
public sealed class AgUiToolCallTests
{
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
        """,
        """
        headline_task:
          description: "Produce a headline about {topic}."
          expected_output: "A headline."
        """);

    [Fact]
    public async Task AToolCall_IsStartArgsEndAndResult_InOrder_WithTheToolsNameArgumentsAndResult()
    {
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup { WriteCrews = WriteEditorialCrew });
        using var http = server.CreateClient(server.BootstrapToken);
        server.Simulator.Enqueue(
            SimulatedReply.ToolCalls(new SimulatedToolCall(
                "delegate_work_to_coworker", """{"task": "Write a headline about tides", "context": "Short and exact.", "coworker": "staff writer"}""")),
            SimulatedReply.Text("Why the Moon Moves the Sea"),
            SimulatedReply.Text("Headline: Why the Moon Moves the Sea"));
        var body = new JsonObject
        {
            ["threadId"] = Guid.NewGuid().ToString(),
            ["runId"] = "r1",
            ["messages"] = new JsonArray(),
            ["forwardedProps"] = new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "tides" } },
        };

        using var response = await http.PostAsync("/crews/editorial/agui", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(frame => JsonNode.Parse(frame["data: ".Length..])!.AsObject()).ToList();
        events[^1]["type"]!.GetValue<string>().ShouldBe("RUN_FINISHED", text);
        var tools = events.Where(e => e["type"]!.GetValue<string>().StartsWith("TOOL_CALL_", StringComparison.Ordinal)).ToList();
        tools.Select(e => e["type"]!.GetValue<string>()).ShouldBe(["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT"], text);
        var callId = tools[0]["toolCallId"]!.GetValue<string>();
        tools.ShouldAllBe(e => e["toolCallId"]!.GetValue<string>() == callId);
        tools[0]["toolCallName"]!.GetValue<string>().ShouldBe("Delegate work to coworker");
        var args = JsonNode.Parse(tools[1]["delta"]!.GetValue<string>())!;
        args.ToJsonString().ShouldContain("Write a headline about tides");
        tools[3]["content"]!.GetValue<string>().ShouldContain("Why the Moon Moves the Sea");
        tools[3]["role"]!.GetValue<string>().ShouldBe("tool");
        // The tool's result comes before the task's text message that uses it.
        events.FindIndex(e => e["type"]!.GetValue<string>() == "TOOL_CALL_RESULT")
            .ShouldBeLessThan(events.FindIndex(e => e["type"]!.GetValue<string>() == "TEXT_MESSAGE_START"));
    }
}
