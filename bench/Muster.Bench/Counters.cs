using System.Diagnostics;
using System.Globalization;

namespace Muster.Bench;

/// <summary>
/// dotnet-counters on a server process, when it is installed (bench/run.sh puts it in /tmp/dt), sampling once a second
/// over a fixed window: the thread pool's queue length and thread count (the signs of starvation), the time the
/// garbage collector paused the process (what a latency tail on a busy node is mostly made of), the bytes the process
/// allocated and the size of the managed heap after each collection (what the runs in flight keep alive).
/// </summary>
internal sealed class Counters : IAsyncDisposable
{
    // The EventCounters report absolute values each second (the newer meters report these two as changes); the GC's
    // pause time exists only as a meter, and one dotnet-counters session cannot mix the two forms of System.Runtime.
    private const string ThreadPoolCounters = @"EventCounters\System.Runtime[threadpool-queue-length,threadpool-thread-count]";
    private const string GcCounters =
        "System.Runtime[dotnet.gc.pause.time,dotnet.gc.collections,dotnet.gc.heap.total_allocated,dotnet.gc.last_collection.heap.size]";
    private const string PauseMeter = "dotnet.gc.pause.time";
    private const string CollectionsMeter = "dotnet.gc.collections";
    private const string AllocatedMeter = "dotnet.gc.heap.total_allocated";
    private const string HeapSizeMeter = "dotnet.gc.last_collection.heap.size";

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
    /// Waits until the tool is attached to its target, past its own start-up, which takes CPU that a measured stretch
    /// should not share.
    /// </summary>
    public Task WaitUntilAttachedAsync(TimeSpan timeout) => Task.WhenAll(_threadPool.WaitUntilAttachedAsync(timeout), _gc.WaitUntilAttachedAsync(timeout));

    /// <summary>
    /// Ends the sampling when the stretch measured ended before the duration given at the start: after a few more samples
    /// (each reports the second before it, so the stretch's last second is in; on a busy machine the tool samples late).
    /// </summary>
    public async Task StopAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(3));
        await Task.WhenAll(_threadPool.StopAsync(), _gc.StopAsync());
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

        // The meters report each second's increase: seconds of pause, collections per generation, bytes allocated.
        List<double> Increments(string meter) => [.. gc.Where(s => s.Counter.StartsWith(meter, StringComparison.Ordinal)).Select(s => s.Value)];
        var pausePerSecond = Increments(PauseMeter);
        var collections = Increments(CollectionsMeter).Sum();
        var allocated = Increments(AllocatedMeter);
        // The heap's size after the last collection: each second, one value per generation (gen0, gen1, gen2, loh, poh).
        var heaps = gc.Where(s => s.Counter.StartsWith(HeapSizeMeter, StringComparison.Ordinal))
            .GroupBy(s => s.At)
            .OrderBy(second => second.Key)
            .Select(second => new HeapSizes(
                second.Sum(s => s.Value),
                second.Where(s => s.Counter.Contains("=gen2]", StringComparison.Ordinal)).Sum(s => s.Value),
                second.Where(s => s.Counter.Contains("=loh]", StringComparison.Ordinal)).Sum(s => s.Value)))
            .ToList();
        return new CounterSummary(
            Peak(threadPool, "Queue Length"),
            Peak(threadPool, "Thread Count"),
            pausePerSecond.Count == 0 ? double.NaN : pausePerSecond.Sum(),
            pausePerSecond.Count == 0 ? double.NaN : pausePerSecond.Max(),
            pausePerSecond.Count == 0 ? double.NaN : collections,
            pausePerSecond.Count)
        {
            AllocatedBytes = allocated.Count == 0 ? double.NaN : allocated.Sum(),
            HeapAtStart = heaps.Count == 0 ? HeapSizes.None : heaps[0],
            PeakHeap = heaps.Count == 0 ? HeapSizes.None : new HeapSizes(heaps.Max(h => h.Total), heaps.Max(h => h.Gen2), heaps.Max(h => h.Loh)),
            LastSample = gc.Count == 0 ? null : gc.Max(s => s.At),
        };
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

    /// <summary>An argument as one word of a POSIX shell command line (<c>script -c</c> takes a command line, not a list).</summary>
    internal static string ShellQuote(string argument) => "'" + argument.Replace("'", @"'\''", StringComparison.Ordinal) + "'";

    /// <summary>One line of the tool's CSV: when (local time), the counter's name with its unit and tags, the value.</summary>
    internal sealed record Sample(DateTime At, string Counter, double Value);

    /// <summary>
    /// One dotnet-counters process. The tool buffers its file until it exits, and quits early only on a Q typed at a
    /// terminal (it ignores signals when its input is not one): it runs under <c>script</c>, which gives it a
    /// pseudo-terminal to type the Q into, so that a stretch that ends sooner than its <c>--duration</c> can stop it and
    /// read every sample. Without <c>script</c> it runs as it is and stops at the end of its duration.
    /// </summary>
    private sealed class Session : IAsyncDisposable
    {
        private const string Script = "/usr/bin/script";
        private readonly Process _process;
        private readonly string _file;
        private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Session(ProcessStartInfo info, string file)
        {
            _file = file;
            _process = new Process { StartInfo = info };
            // Printed once the tool's session with the target is open, before its first sample.
            _process.OutputDataReceived += (_, line) =>
            {
                if (line.Data?.Contains("Press Q to quit", StringComparison.OrdinalIgnoreCase) == true)
                {
                    _attached.TrySetResult();
                }
            };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public static Session Start(string tool, ChildProcess target, string file, string counters, TimeSpan duration)
        {
            string[] arguments =
            [
                tool, "collect", "-p", target.Id.ToString(CultureInfo.InvariantCulture), "--refresh-interval", "1", "--format", "csv", "-o", file,
                "--duration", duration.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture), "--counters", counters,
            ];
            var underScript = File.Exists(Script);
            var info = new ProcessStartInfo(underScript ? Script : tool)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var argument in underScript ? ["-qfec", string.Join(' ', arguments.Select(Counters.ShellQuote)), "/dev/null"] : arguments.Skip(1))
            {
                info.ArgumentList.Add(argument);
            }

            return new Session(info, file);
        }

        public async Task WaitUntilAttachedAsync(TimeSpan timeout)
        {
            try
            {
                await _attached.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                // Sampling goes on without it; the figures say n/a if it never began.
            }
        }

        /// <summary>Stops the tool now (it then writes what it sampled); without a terminal, waits for its duration to end.</summary>
        public async Task StopAsync()
        {
            if (_process.HasExited)
            {
                return;
            }

            try
            {
                await _process.StandardInput.WriteAsync('q');
                await _process.StandardInput.FlushAsync();
            }
            catch (IOException)
            {
                // It exited meanwhile.
            }

            await WaitForExitAsync();
        }

        public async Task<List<Sample>> SamplesAsync()
        {
            await WaitForExitAsync();
            return File.Exists(_file) ? ParseSamples(await File.ReadAllLinesAsync(_file)) : [];
        }

        private async Task WaitForExitAsync()
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
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

    /// <summary>The bytes the process allocated on the managed heap over the window (NaN when not sampled).</summary>
    public double AllocatedBytes { get; init; } = double.NaN;

    /// <summary>The heap after the last collection as the window began: what the process held before the load.</summary>
    public HeapSizes HeapAtStart { get; init; } = HeapSizes.None;

    /// <summary>The largest heap after a collection in the window (each member its own peak).</summary>
    public HeapSizes PeakHeap { get; init; } = HeapSizes.None;

    /// <summary>When the last sample in the window was taken (local time); null without samples.</summary>
    public DateTime? LastSample { get; init; }
}

/// <summary>
/// The managed heap as the last collection left it, in bytes: all generations, gen2 (what survived to the oldest
/// generation) and the large-object heap. It includes the garbage of older generations not collected since.
/// </summary>
internal sealed record HeapSizes(double Total, double Gen2, double Loh)
{
    public static readonly HeapSizes None = new(double.NaN, double.NaN, double.NaN);
}
