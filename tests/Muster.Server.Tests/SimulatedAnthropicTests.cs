using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// <c>--simulated-llm</c> serves crews that name <c>anthropic/…</c> models too: with no key, and even with a real key
/// configured, their calls go to the built-in simulator and nowhere else.
/// </summary>
public sealed class SimulatedAnthropicTests
{
    private static void WriteClaudeCrew(string crewsPath) => TestCrews.Write(crewsPath, "claude",
        """
        name: claude
        process: sequential
        llm: anthropic/claude-sonnet-4-5
        """,
        """
        poet:
          role: "Poet"
          goal: "Write about {topic}"
          backstory: "Writes short poems."
        """,
        """
        poem_task:
          description: "Write a haiku about {topic}."
          expected_output: "A haiku."
          agent: poet
        """);

    [Theory]
    [InlineData(null)]
    [InlineData("sk-ant-not-a-real-key")]
    public async Task AnAnthropicCrew_UnderSimulatedLlm_AnswersFromTheBuiltInSimulator(string? configuredKey)
    {
        var settings = new Dictionary<string, string?>();
        if (configuredKey is not null)
        {
            settings["Muster:Llm:Providers:anthropic:ApiKey"] = configuredKey;
        }

        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            WriteCrews = WriteClaudeCrew,
            Settings = settings,
            Args = ["--simulated-llm"],
        });
        using var client = server.CreateClient(server.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/claude");
        var done = await client.WaitForFinishAsync(id, "/crews/claude");

        done.Is("completed").ShouldBeTrue(done.ToJsonString());
        done["result"]!["output"]!.GetValue<string>().ShouldContain("Simulated");
        server.Simulator.Requests.ShouldBeEmpty("every provider must point at the built-in simulator, not the configured one");
    }
}
