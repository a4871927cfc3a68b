using System.Net;
using System.Net.Sockets;
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

    [Fact]
    public async Task Serve_OnAPortInUse_PrintsOneLineNamingUrls_AndExits1()
    {
        using var folder = new TempFolder();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var result = await CliProcess.RunAsync(null, "serve", "--urls", url, "--simulated-llm",
            $"--Muster:CrewsPath={folder.Combine("crews")}", $"--Muster:Storage:ConnectionString=Data Source={folder.Combine("busy.db")}");

        result.ExitCode.ShouldBe(1, result.ToString());
        var line = result.Stderr.Trim().Split('\n').ShouldHaveSingleItem(result.ToString());
        line.ShouldStartWith($"error: Failed to bind to address {url}: address already in use");
        line.ShouldContain("--urls");
        result.Stdout.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_OnAStoreAnotherServerServes_ExitsAtOnce_WhileTheStoreCommandsKeepWorking()
    {
        using var folder = new TempFolder();
        var database = folder.Combine("shared.db");
        string[] serve = ["serve", "--urls", "http://127.0.0.1:0", "--simulated-llm", $"--Muster:CrewsPath={folder.Combine("crews")}",
            $"--Muster:Storage:ConnectionString=Data Source={database}", "--Muster:Auth:BootstrapToken", "mst_serve_lock_" + Guid.NewGuid().ToString("N")];
        await using var first = CliProcess.Start(null, serve);
        await first.WaitForOutputAsync(new Regex(@"Now listening on: (http://\S+)"));

        var second = await CliProcess.RunAsync(null, serve);
        var created = await CliProcess.RunAsync(null, "tokens", "create", "--kind", "org", "--connection-string", $"Data Source={database}");
        var listed = await CliProcess.RunAsync(null, "tokens", "list", "--connection-string", $"Data Source={database}");

        second.ExitCode.ShouldBe(1, second.ToString());
        second.Stderr.Trim().ShouldBe(
            $"error: Another Muster server serves the store {database}; stop it first, or give this one its own store with Muster:Storage:ConnectionString.");
        second.Stdout.ShouldNotContain("Now listening");
        created.ExitCode.ShouldBe(0, created.ToString());
        listed.ExitCode.ShouldBe(0, listed.ToString());
        listed.Stdout.ShouldContain("bootstrap");
    }

    [Fact]
    public async Task Serve_OnAnEmptyStore_LogsTheCommandThatCreatesTheFirstToken_AndThatTokenWorks()
    {
        using var folder = new TempFolder();
        TestCrews.WriteTwoTaskCrew(folder.Combine("crews"));
        await using var server = CliProcess.Start(null, "serve", "--urls", "http://127.0.0.1:0", "--simulated-llm",
            $"--Muster:CrewsPath={folder.Combine("crews")}", $"--Muster:Storage:ConnectionString=Data Source={folder.Combine("empty.db")}");
        var url = (await server.WaitForOutputAsync(new Regex(@"Now listening on: (http://\S+)"))).Groups[1].Value;
        var advice = new Regex(@"Create the first organization token with: muster tokens create --kind org --connection-string ""([^""]+)""").Match(server.Output);

        advice.Success.ShouldBeTrue(server.Output);
        var created = await CliProcess.RunAsync(null, "tokens", "create", "--kind", "org", "--connection-string", advice.Groups[1].Value);
        var crews = await CliProcess.RunAsync(
            new Dictionary<string, string?> { ["MUSTER_URL"] = url, ["MUSTER_TOKEN"] = created.Stdout.Trim() }, "crews", "list");

        created.ExitCode.ShouldBe(0, created.ToString());
        created.Stderr.ShouldContain($"in the SQLite store {folder.Combine("empty.db")}");
        crews.ExitCode.ShouldBe(0, crews.ToString());
        crews.Stdout.ShouldContain("research");
    }
}
