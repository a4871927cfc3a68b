using System.Diagnostics;
using System.Globalization;
using Muster.Bench.Scenarios;

namespace Muster.Bench;

/// <summary>Runs the chosen scenarios one after another, each on fresh processes, and prints the figures.</summary>
internal static class Harness
{
    public static async Task<int> RunAsync(BenchSettings settings)
    {
        if (!File.Exists(settings.ServerDll))
        {
            Console.Error.WriteLine($"{settings.ServerDll} is missing: dotnet build src/Muster.Server -c Release");
            return 1;
        }

        var workDir = Path.Combine(Path.GetTempPath(), $"muster-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        Directory.CreateDirectory(workDir);
        var machine = Machine.Describe(settings.Repo);
        Console.WriteLine($"Muster bench ({(settings.Full ? "full" : "quick")}), {settings.Storage}, {settings.Nodes} node(s); {machine}");
        Console.WriteLine($"work folder {workDir}");

        var report = new Report();
        var clock = Stopwatch.StartNew();
        var scenarios = new (int Number, Func<BenchSettings, Report, string, Task> Run)[]
        {
            (1, StatusReads.RunAsync),
            (2, KickoffToComplete.RunAsync),
            (3, ManyInFlight.RunAsync),
            (4, MixedLoad.RunAsync),
            (5, KickoffLatency.RunAsync),
            (6, WebhookFairness.RunAsync),
            (7, ConsolePages.RunAsync),
        };
        var failed = false;
        foreach (var (number, run) in scenarios.Where(s => settings.Scenarios.Contains(s.Number)))
        {
            var started = clock.Elapsed;
            Console.WriteLine();
            Console.WriteLine($"== scenario {number}");
            try
            {
                await run(settings, report, workDir);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException)
            {
                failed = true;
                report.Note($"{number}", $"FAILED: {ex.Message}");
            }

            Console.WriteLine($"  ({(clock.Elapsed - started).TotalSeconds:0}s)");
        }

        var header = $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {(settings.Full ? "full" : "quick")} mode, {settings.Storage}, {settings.Nodes} node(s), " +
            $"{clock.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s; {machine}";
        var markdown = report.ToMarkdown(header);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (settings.MarkdownPath is { } path)
        {
            await File.WriteAllTextAsync(path, markdown);
        }

        return failed ? 1 : 0;
    }
}
