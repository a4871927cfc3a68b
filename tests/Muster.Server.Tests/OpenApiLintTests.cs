using System.Diagnostics;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// The served OpenAPI document passes Redocly CLI's lint (its recommended rules) without an error, so a client generator or
/// an Arazzo runner reading it finds every path parameter and a usable server URL. Warnings (no license, 4xx answers the
/// health checks lack, …) are style, not errors, and are not held against it.
/// </summary>
public sealed class OpenApiLintTests
{
    [Fact]
    public async Task TheServedDocument_HasNoLintError()
    {
        await using var server = await MusterServerFixture.StartAsync();
        var redocly = Path.Combine(RepositoryRoot(), "tests", "arazzo", "node_modules", ".bin", "redocly");
        File.Exists(redocly).ShouldBeTrue($"Redocly CLI is missing: run `npm ci` in tests/arazzo (scripts/test.sh does).");
        using var work = new TempFolder();
        using var http = server.CreateClient();
        await File.WriteAllTextAsync(work.Combine("muster-openapi.json"), await http.GetStringAsync("/openapi/v1.json"));

        var start = new ProcessStartInfo(redocly) { WorkingDirectory = work.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "lint", "muster-openapi.json", "--format", "json" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var report = JsonNode.Parse(await stdout) ?? throw new ShouldAssertException("redocly wrote no report: " + await stderr);

        var errors = report["problems"]!.AsArray()
            .Where(p => p!["severity"]!.GetValue<string>() == "error")
            .Select(p => $"{p!["ruleId"]}: {p["message"]} at {p["location"]![0]!["pointer"]}");
        errors.ShouldBeEmpty();
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
