using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Muster.Bench.Tests;

/// <summary>The harness end to end takes both cores for a minute: nothing else in this project runs beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HarnessCollection
{
    public const string Name = "harness, alone";
}

[Collection(HarnessCollection.Name)]
public sealed partial class HarnessTests(ITestOutputHelper log)
{
    [Fact]
    public async Task QuickScenario2_RunsEveryRunToCompletion_AndRecordsItsFigures()
    {
        var markdownPath = Path.Combine(Path.GetTempPath(), $"muster-bench-smoke-{Guid.NewGuid():N}.md");
        BenchRun? run = null;
        try
        {
            run = await BenchProcess.RunAsync(TimeSpan.FromMinutes(5),
                "run", "--quick", "--scenarios", "2", "--server", BenchProcess.ServerDll, "--markdown", markdownPath);
            log.WriteLine($"the harness took {run.Elapsed.TotalSeconds:0} s");
            log.WriteLine(run.Output);
            log.WriteLine(run.Errors);

            run.ExitCode.ShouldBe(0, run.Errors);
            var markdown = await File.ReadAllTextAsync(markdownPath);
            var tasks = Cells(markdown, "tasks/s end to end (1 LLM call each)");
            Number(tasks[2]).ShouldBeGreaterThan(0, "Muster's tasks/s");
            Number(tasks[3]).ShouldBeGreaterThan(0, "the ceiling's tasks/s");
            Number(Cells(markdown, "1,000 runs kickoff→complete, runs/s")[2]).ShouldBeGreaterThan(0);
            markdown.ShouldContain("- 2: 1,000 of 1,000 runs completed (0 failed, 0 kickoffs refused)", Case.Sensitive);
            var allocated = Cells(markdown, "server bytes allocated per task (dotnet-counters)")[2];
            if (File.Exists("/tmp/dt/dotnet-counters"))
            {
                // bench/run.sh installs the tool there; the harness then stops it when the batch ends and reads every sample.
                Number(allocated).ShouldBeGreaterThan(0, "bytes allocated per task");
            }
            else
            {
                allocated.ShouldBe("n/a KiB");
            }

            // What the harness notes when a scenario throws.
            markdown.ShouldNotContain("FAILED", Case.Sensitive);
        }
        finally
        {
            File.Delete(markdownPath);
            DeleteWorkFolder(run);
        }
    }

    [Fact]
    public async Task MissingServerDll_ExitsWith1_AndSaysWhatIsMissing()
    {
        var run = await BenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", "--quick", "--scenarios", "2", "--server", "/nonexistent/Muster.Server.dll");

        run.ExitCode.ShouldBe(1, run.Output + run.Errors);
        run.Errors.ShouldContain("/nonexistent/Muster.Server.dll is missing", Case.Sensitive);
    }

    [Fact]
    public async Task UnknownOption_ExitsWith2_WithTheMessageAndTheUsage()
    {
        var run = await BenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", "--bogus");

        run.ExitCode.ShouldBe(2, run.Output + run.Errors);
        run.Errors.ShouldContain("Unknown option --bogus", Case.Sensitive);
        run.Errors.ShouldContain("--server-env KEY=VALUE", Case.Sensitive);
        run.Errors.ShouldContain("--max-concurrent-runs N", Case.Sensitive);
    }

    /// <summary>The cells of the table row whose figure is <paramref name="figure"/>: scenario, figure, Muster, ceiling, ratio, goal, met.</summary>
    private static string[] Cells(string markdown, string figure) =>
        markdown.Split('\n')
            .Select(line => line.Split('|').Select(c => c.Trim()).ToArray())
            .Single(cells => cells.Length == 9 && cells[2] == figure)[1..^1];

    /// <summary>A table cell's number, e.g. 1,234 from "1,234 tasks/s" (n/a or an empty cell fails the parse).</summary>
    private static double Number(string cell) =>
        double.Parse(cell.Split(' ')[0].Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    /// <summary>The harness keeps its work folder (SQLite file, ceiling bodies) for inspection; a test has no use for it.</summary>
    private static void DeleteWorkFolder(BenchRun? run)
    {
        if (run is not null && WorkFolder().Match(run.Output) is { Success: true } match
            && Path.GetFileName(match.Groups[1].Value).StartsWith("muster-bench-", StringComparison.Ordinal) && Directory.Exists(match.Groups[1].Value))
        {
            Directory.Delete(match.Groups[1].Value, recursive: true);
        }
    }

    [GeneratedRegex(@"^work folder (\S+)$", RegexOptions.Multiline)]
    private static partial Regex WorkFolder();
}
