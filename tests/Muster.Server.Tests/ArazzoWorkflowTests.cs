using System.Diagnostics;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// The canonical AMP client workflow (kickoff, poll while running, collect the result) run by a standard
/// Arazzo runner, Redocly CLI's <c>respect</c>, against a live Muster. The workflow is the project's corrected
/// copy in tests/arazzo; respect also checks every response against Muster's own OpenAPI document.
/// </summary>
public sealed class ArazzoWorkflowTests
{
    [Fact]
    public async Task KickoffAndPoll_UnderRespect_CompletesWithOutputTasksAndExecutionTime()
    {
        await using var server = await MusterServerFixture.StartAsync();
        server.Simulator.Latency = TimeSpan.FromMilliseconds(150);

        var result = await RunRespectAsync(server, "kickoff-and-poll-until-complete", new JsonObject { ["topic"] = "tidal energy" });

        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldContain("Workflows: 1 passed, 1 total");
        var steps = StepIds(result.Json);
        steps.ShouldContain("kickoff");
        steps.ShouldContain("collectResult");
        steps.Count(s => s == "pollStatus").ShouldBeGreaterThanOrEqualTo(1);
        steps.ShouldNotContain("collectError");
    }

    [Fact]
    public async Task KickoffAndPoll_WhenTheCrewFails_EndsInTheErrorStep()
    {
        await using var server = await MusterServerFixture.StartAsync();
        server.Simulator.Responder = _ => SimulatedReply.Error(400, "the simulated provider refuses this request");

        var result = await RunRespectAsync(server, "kickoff-and-poll-until-error", new JsonObject { ["topic"] = "tidal energy" });

        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldContain("Workflows: 1 passed, 1 total");
        var steps = StepIds(result.Json);
        steps.ShouldContain("collectError");
        steps.ShouldNotContain("collectResult");
    }

    private sealed record RespectResult(int ExitCode, string Output, JsonNode? Json);

    private static async Task<RespectResult> RunRespectAsync(MusterServerFixture server, string workflowId, JsonObject inputs)
    {
        var arazzo = Path.Combine(RepositoryRoot(), "tests", "arazzo");
        var redocly = Path.Combine(arazzo, "node_modules", ".bin", "redocly");
        File.Exists(redocly).ShouldBeTrue($"Redocly CLI is missing: run `npm ci` in {arazzo} (scripts/test.sh does).");

        using var work = new TempFolder();
        using var http = server.CreateClient();
        await File.WriteAllTextAsync(work.Combine("muster-openapi.json"), await http.GetStringAsync("/openapi/v1.json"));
        File.Copy(Path.Combine(arazzo, "kickoff-and-poll.arazzo.yml"), work.Combine("workflow.arazzo.yml"));

        var input = new JsonObject { ["bearerToken"] = server.BootstrapToken, ["inputs"] = inputs };
        var start = new ProcessStartInfo(redocly)
        {
            WorkingDirectory = work.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
                 {
                     "respect", "workflow.arazzo.yml",
                     "--workflow", workflowId,
                     "--input", input.ToJsonString(),
                     "-S", $"crewaiAmpApi={server.BaseAddress.ToString().TrimEnd('/')}",
                     "--json-output", "respect.json",
                     "--max-fetch-timeout", "10000",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        var jsonPath = work.Combine("respect.json");
        var json = File.Exists(jsonPath) ? JsonNode.Parse(await File.ReadAllTextAsync(jsonPath)) : null;
        return new RespectResult(process.ExitCode, output, json);
    }

    /// <summary>The step ids respect executed, in order, from its JSON log.</summary>
    private static List<string> StepIds(JsonNode? log)
    {
        var ids = new List<string>();
        Collect(log);
        return ids;

        void Collect(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (obj["stepId"] is JsonValue id && id.TryGetValue<string>(out var stepId) && obj.ContainsKey("response"))
                    {
                        ids.Add(stepId);
                    }

                    foreach (var (_, child) in obj)
                    {
                        Collect(child);
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array)
                    {
                        Collect(child);
                    }

                    break;
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Muster.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Muster.slnx not found above " + AppContext.BaseDirectory);
    }
}
