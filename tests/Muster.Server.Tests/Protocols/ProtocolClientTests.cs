using System.Diagnostics;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>
/// The official clients from npm (tests/protocols: @modelcontextprotocol/sdk, @a2a-js/sdk, @ag-ui/client), each run by
/// node against a live Muster on loopback: each completes a run, sees a failed run fail, stops a run and goes through a
/// human review. The scripts print <c>ok {scenario}</c> per scenario and exit 0 when all pass.
/// </summary>
public sealed class ProtocolClientTests
{
    [Fact]
    public async Task TheMcpTypeScriptClient_CompletesFailsStopsAndReviewsRuns()
    {
        var output = await RunScriptAsync("mcp.mjs");

        output.ShouldContain("ok mcp completes a run");
        output.ShouldContain("ok mcp sees a failed run fail");
        output.ShouldContain("ok mcp stops a run by cancelling the call");
        output.ShouldContain("ok mcp goes through a human review (reject with feedback, then approve)");
    }

    [Fact]
    public async Task TheA2aClients_V10AndV03_CompleteFailStopAndReviewRuns()
    {
        var output = await RunScriptAsync("a2a.mjs");

        output.ShouldContain("ok a2a completes a run");
        output.ShouldContain("ok a2a sees a failed run fail");
        output.ShouldContain("ok a2a streams a run and stops it with CancelTask");
        output.ShouldContain("ok a2a goes through a human review (reject with feedback, then approve)");
        output.ShouldContain("ok a2a v0.3 client completes a run and a review");
        output.ShouldContain("ok a2a push notification configs deliver the task's updates");
    }

    [Fact]
    public async Task TheAgUiHttpAgent_CompletesFailsStopsReconnectsAndReviewsRuns()
    {
        var output = await RunScriptAsync("agui.mjs");

        output.ShouldContain("ok ag-ui completes a run");
        output.ShouldContain("ok ag-ui sees a failed run fail");
        output.ShouldContain("ok ag-ui reconnects to a running thread and sees it stopped by /stop");
        output.ShouldContain("ok ag-ui goes through a human review (reject with feedback, then approve)");
    }

    /// <summary>Runs <c>node tests/protocols/{script} {url} {token}</c> against a fresh server; fails with its output unless it exits 0.</summary>
    internal static async Task<string> RunScriptAsync(string script)
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "protocols");
        Directory.Exists(Path.Combine(folder, "node_modules")).ShouldBeTrue($"The npm clients are missing: run `npm ci` in {folder} (scripts/test.sh does).");
        // The clients' push notification receivers listen on loopback.
        await using var server = await ProtocolServer.StartAsync(new Dictionary<string, string?> { ["Muster:Webhooks:AllowPrivateNetworks"] = "true" });
        // Runs about "node-hold" stay in flight until stopped, whatever the machine's speed.
        using var hold = AnswerHold.About(server.Simulator, "node-hold");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(server.BaseAddress.ToString().TrimEnd('/'));
        start.ArgumentList.Add(server.BootstrapToken);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        process.ExitCode.ShouldBe(0, output);
        return output;
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
