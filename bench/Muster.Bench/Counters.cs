using System.Diagnostics;
using System.Globalization;

namespace Muster.Bench;

/// <summary>
/// dotnet-counters on a server process, when it is installed (bench/run.sh puts it in /tmp/dt), sampling once a second
/// over a fixed window: the thread pool's queue length and thread count (the signs of starvation) and the time the
/// garbage collector paused the process (what a latency tail on a busy node is mostly made of).
/// </summary>
internal sealed class Counters : IAsyncDisposable
{
    // The EventCounters report absolute values each second (the newer meters report these two as changes); the GC's
    // pause time exists only as a meter, and one dotnet-counters session cannot mix the two forms of System.Runtime.
    private const string ThreadPoolCounters = @"EventCounters\System.Runtime[threadpool-queue-length,threadpool-thread-count]";
    private const string GcCounters = "System.Runtime[dotnet.gc.pause.time,dotnet.gc.collections]";

    private readonly Session _threadPool;
    private readonly Session _gc;

    private Counters(Session threadPool, Session gc)
    {
        _threadPool = threadPool;
        _gc = gc;
    }

    /// <summary>Samples <paramref name="target"/> for <paramref name="duration"/>; null when dotnet-counters is not installed.</summary>
    public static Counters? TryStart(ChildProcess target, string folder, TimeSpan duration)
    {
        var tool = new[]
        {
            Environment.GetEnvironmentVariable("MUSTER_BENCH_DOTNET_COUNTERS"),
            "/tmp/dt/dotnet-counters",
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet/tools/dotnet-counters"),
        }.FirstOrDefault(File.Exists);
        return tool is null
            ? null
            : new Counters(
                Session.Start(tool, target, Path.Combine(folder, "threadpool.csv"), ThreadPoolCounters, duration),
                Session.Start(tool, target, Path.Combine(folder, "gc.csv"), GcCounters, duration));
    }

    /// <summary>
    /// Waits for the sampling to end and sums it up (NaN for what was not collected): the samples taken from
    /// <paramref name="from"/> to <paramref name="to"/> (local time, as the tool writes it) when given, so that the tool's
    /// own start-up, which takes CPU, can happen before the stretch that is measured.
    /// </summary>
    public async Task<CounterSummary> ResultAsync(DateTime? from = null, DateTime? to = null) =>
        Summarize(await _threadPool.SamplesAsync(), await _gc.SamplesAsync(), from, to);

    /// <summary>Sums up the two sessions' samples, keeping those within a second of <paramref name="from"/> to <paramref name="to"/>.</summary>
    internal static CounterSummary Summarize(IEnumerable<Sample> threadPoolSamples, IEnumerable<Sample> gcSamples, DateTime? from, DateTime? to)
    {
        bool Within(Sample s) => (from is null || s.At >= from.Value.AddSeconds(-1)) && (to is null || s.At <= to.Value.AddSeconds(1));
        var threadPool = threadPoolSamples.Where(Within).ToList();
        var gc = gcSamples.Where(Within).ToList();
        double Peak(List<Sample> samples, string name) =>
            samples.Where(s => s.Counter.Contains(name, StringComparison.Ordinal)).Select(s => s.Value).DefaultIfEmpty(double.NaN).Max();

        // The meters report each second's increase: seconds of pause, and collections, per generation.
        var pausePerSecond = gc.Where(s => s.Counter.Contains("pause", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        var collections = gc.Where(s => s.Counter.Contains("collections", StringComparison.Ordinal)).Sum(s => s.Value);
        return new CounterSummary(
            Peak(threadPool, "Queue Length"),
            Peak(threadPool, "Thread Count"),
            pausePerSecond.Count == 0 ? double.NaN : pausePerSecond.Sum(),
            pausePerSecond.Count == 0 ? double.NaN : pausePerSecond.Max(),
            pausePerSecond.Count == 0 ? double.NaN : collections,
            pausePerSecond.Count);
    }

    /// <summary>The samples in the lines of a CSV file dotnet-counters wrote; the header and any line not a sample are skipped.</summary>
    internal static List<Sample> ParseSamples(IEnumerable<string> lines)
    {
        var samples = new List<Sample>();
        foreach (var line in lines)
        {
            // Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
            var parts = line.Split(',');
            if (parts.Length >= 5
                && DateTime.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at)
                && double.TryParse(parts[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples.Add(new Sample(at, parts[2], value));
            }
        }

        return samples;
    }

    public async ValueTask DisposeAsync()
    {
        await _threadPool.DisposeAsync();
        await _gc.DisposeAsync();
    }

    /// <summary>One line of the tool's CSV: when (local time), the counter's name with its unit and tags, the value.</summary>
    internal sealed record Sample(DateTime At, string Counter, double Value);

    private sealed class Session(Process process, string file) : IAsyncDisposable
    {
        public static Session Start(string tool, ChildProcess target, string file, string counters, TimeSpan duration)
        {
            var info = new ProcessStartInfo(tool)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            // The tool stops itself after --duration: it ignores signals when its input is not a terminal.
            foreach (var argument in new[]
            {
                "collect", "-p", target.Id.ToString(CultureInfo.InvariantCulture), "--refresh-interval", "1", "--format", "csv", "-o", file,
                "--duration", duration.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture), "--counters", counters,
            })
            {
                info.ArgumentList.Add(argument);
            }

            var started = Process.Start(info)!;
            started.BeginOutputReadLine();
            started.BeginErrorReadLine();
            return new Session(started, file);
        }

        public async Task<List<Sample>> SamplesAsync()
        {
            if (!process.HasExited)
            {
                try
                {
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
                }
                catch (TimeoutException)
                {
                    process.Kill();
                }
            }

            return File.Exists(file) ? ParseSamples(await File.ReadAllLinesAsync(file)) : [];
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}

/// <summary>
/// What dotnet-counters saw: peak thread-pool queue and threads; the GC's pauses in seconds (all of them, and the worst
/// single second's) and its collections, over <paramref name="Seconds"/> one-second samples.
/// </summary>
internal sealed record CounterSummary(double PeakQueue, double PeakThreads, double PauseSeconds, double WorstSecondPause, double Collections, int Seconds)
{
    /// <summary>The share of the sampled time the process stood still for the collector.</summary>
    public double PauseShare => Seconds == 0 ? double.NaN : PauseSeconds / Seconds;
}
