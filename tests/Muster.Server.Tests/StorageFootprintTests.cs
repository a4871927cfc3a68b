using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Testing;
using Xunit.Abstractions;

namespace Muster.Server.Tests;

/// <summary>
/// Issue 15's case: a kickoff of about 0.9 MB of inputs to CrewAI's project template crew (the placeholder in both agents'
/// role, goal and backstory and in the first task) must not store tens of times its size.
/// </summary>
public sealed class StorageFootprintTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ARunWithLargeInputs_StoresWithinThreeTimesItsInputsAndOutputs()
    {
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup { WriteCrews = WriteTemplateCrew });
        server.Simulator.Latency = TimeSpan.Zero;
        using var client = server.CreateClient(server.BootstrapToken);
        var inputs = new JsonObject { ["topic"] = Words(900_000) };

        var id = await client.KickoffAsync(inputs);
        var done = await client.WaitForFinishAsync(id);

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString()[..Math.Min(500, done.ToJsonString().Length)]);
        var (status, run) = await client.GetJsonAsync($"/api/crew-runs/{id}");
        status.ShouldBe(HttpStatusCode.OK);
        var inputBytes = Encoding.UTF8.GetByteCount(inputs.ToJsonString());
        var outputBytes = run["tasks"]!.AsArray().Sum(t => Encoding.UTF8.GetByteCount(t!["output"]!.GetValue<string>()));
        var stored = await RunFootprint.MeasureAsync(server.DatabasePath, id);
        var events = await client.GetStringAsync($"/api/crew-runs/{id}/events");
        output.WriteLine($"inputs {inputBytes:N0} B, outputs {outputBytes:N0} B; stored: {stored}; " +
            $"{(double)stored.Total / inputBytes:0.0}x the inputs, {(double)stored.Total / (inputBytes + outputBytes):0.0}x inputs plus outputs; " +
            $"GET …/events answered {Encoding.UTF8.GetByteCount(events):N0} B");
        stored.Total.ShouldBeLessThanOrEqualTo(3L * (inputBytes + outputBytes), stored.ToString());

        // What is read back is what the engine emitted, inputs and prompts in full.
        var read = JsonNode.Parse(events)!.AsArray();
        read[0]!["data"]!["inputs"]!["topic"]!.GetValue<string>().ShouldBe(inputs["topic"]!.GetValue<string>());
        var step = read.First(e => e!["type"]!.GetValue<string>() == "agent_step")!["data"]!;
        step["prompt"]!.GetValue<string>().ShouldContain("Conduct a thorough research about " + inputs["topic"]!.GetValue<string>());
        step["agent"]!.GetValue<string>().ShouldStartWith(inputs["topic"]!.GetValue<string>());
    }

    /// <summary>Words rather than one long token, so that the simulator's answers (the prompt's first words) stay short.</summary>
    private static string Words(int length)
    {
        var text = new StringBuilder(length + 16);
        for (var i = 0; text.Length < length; i++)
        {
            text.Append("tide").Append(i % 1000).Append(' ');
        }

        return text.ToString(0, length);
    }

    /// <summary>crews/research as shipped (CrewAI's project template).</summary>
    private static void WriteTemplateCrew(string crewsPath) => TestCrews.Write(crewsPath, "research",
        """
        name: research
        process: sequential
        """,
        """
        researcher:
          role: >
            {topic} Senior Data Researcher
          goal: >
            Uncover cutting-edge developments in {topic}
          backstory: >
            You're a seasoned researcher with a knack for uncovering the latest
            developments in {topic}. Known for your ability to find the most relevant
            information and present it in a clear and concise manner.
        reporting_analyst:
          role: >
            {topic} Reporting Analyst
          goal: >
            Create detailed reports based on {topic} data analysis and research findings
          backstory: >
            You're a meticulous analyst with a keen eye for detail.
        """,
        """
        research_task:
          description: >
            Conduct a thorough research about {topic}.
            Make sure you find any interesting and relevant information.
          expected_output: >
            A list with 10 bullet points of the most relevant information about {topic}
          agent: researcher
        reporting_task:
          description: >
            Review the context you got and expand each topic into a full section for a report.
          expected_output: >
            A fully fledged report with the main topics, each with a full section of information.
          agent: reporting_analyst
        """);
}
