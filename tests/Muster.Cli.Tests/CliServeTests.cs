using System.Text.RegularExpressions;
using Muster.Testing;

namespace Muster.Cli.Tests;

/// <summary><c>muster serve</c> runs the real server with the server's own arguments; the other commands work against it.</summary>
public sealed class CliServeTests
{
    [Fact]
    public async Task Serve_WithServerArguments_ServesCrews_AndStopsOnCtrlC()
    {
        using var folder = new TempFolder();
        TestCrews.WriteTwoTaskCrew(folder.Combine("crews"));
        var token = "mst_serve_test_" + Guid.NewGuid().ToString("N");

        await using var server = CliProcess.Start(
            new Dictionary<string, string?> { ["Muster__Execution__PollSeconds"] = "1" },
            interruptible: true,
            "serve", "--urls", "http://127.0.0.1:0", "--simulated-llm",
            $"--Muster:CrewsPath={folder.Combine("crews")}",
            $"--Muster:Storage:ConnectionString=Data Source={folder.Combine("serve.db")}",
            "--Muster:Auth:BootstrapToken", token);
        var listening = await server.WaitForOutputAsync(new Regex(@"Now listening on: (http://\S+)"));
        var environment = new Dictionary<string, string?> { ["MUSTER_URL"] = listening.Groups[1].Value, ["MUSTER_TOKEN"] = token };

        var inputs = await CliProcess.RunAsync(environment, "inputs");
        var run = await CliProcess.RunAsync(environment, "kickoff", "-i", "topic=served", "--wait");
        await server.InterruptAsync();
        var stopped = await server.WaitAsync();

        inputs.StdoutLines.ShouldBe(["topic"], inputs.ToString());
        run.ExitCode.ShouldBe(0, run.ToString());
        run.Stdout.ShouldContain("Simulated answer");
        stopped.ExitCode.ShouldBe(0, stopped.ToString());
        stopped.Stdout.ShouldContain("SIMULATED LLM");
    }
}
