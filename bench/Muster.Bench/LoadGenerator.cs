using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Muster.Bench;

/// <summary>What one load stream saw: latencies (from the intended send time), failures and how far the sender fell behind.</summary>
internal sealed class LoadResult(string name)
{
    private long _failures;
    private long _timeouts;

    public string Name { get; } = name;

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Latencies by the second (of the stream's clock) in which each request was due to leave.</summary>
    public ConcurrentDictionary<int, LatencyHistogram> BySecond { get; } = new();

    public long Sent { get; set; }

    public long Failures => Interlocked.Read(ref _failures);

    public long Timeouts => Interlocked.Read(ref _timeouts);

    public TimeSpan Elapsed { get; set; }

    /// <summary>How late each request was handed to the client against its scheduled time (open loop only): the generator's own precision.</summary>
    public LatencyHistogram SendLag { get; } = new();

    /// <summary>The send lag in one phrase for a scenario's note: p99 and max.</summary>
    public string SendLagSummary => string.Create(CultureInfo.InvariantCulture, $"generator send lag p99 {SendLag.PercentileMs(99):0.00} ms, max {SendLag.MaxMs:0.0} ms");

    public string? FirstFailure { get; private set; }

    public double PerSecond => Latency.Count / Elapsed.TotalSeconds;

    public void Fail(string why)
    {
        if (Interlocked.Increment(ref _failures) == 1)
        {
            FirstFailure = why;
        }
    }

    public void TimedOut() => Interlocked.Increment(ref _timeouts);

    public void Record(TimeSpan latency, TimeSpan intended)
    {
        Latency.Record(latency);
        BySecond.GetOrAdd((int)intended.TotalSeconds, static _ => new LatencyHistogram()).Record(latency);
    }

    /// <summary>One line: each second's request count and p99, to show when a tail happened.</summary>
    public string Timeline() =>
        string.Join("  ", BySecond.OrderBy(s => s.Key).Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Key}s:{s.Value.Count}/{s.Value.PercentileMs(99):0.#}")));
}

/// <summary>
/// The .NET load generator: open loop at a constant rate (each request leaves at its scheduled time whether or not
/// earlier ones have answered, and its latency counts from that time, so a stall is not hidden) or closed loop with
/// a fixed number of concurrent senders.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    /// <summary>How long every open-loop stream is run, unmeasured, before its measured stretch (Muster's and the ceiling's alike).</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _client;

    public LoadGenerator()
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = int.MaxValue,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public HttpClient Client => _client;

    /// <summary>Sends <paramref name="rate"/> requests a second for <paramref name="duration"/> or until <paramref name="stop"/>.</summary>
    /// <remarks>
    /// The schedule is kept by a thread of its own that sleeps with <see cref="PreciseSleep"/> (tens of microseconds
    /// late on Linux), not by <see cref="Task.Delay(TimeSpan)"/>: the timer queue wakes a millisecond or more late, and a
    /// latency counted from the intended time would charge that to the server (it put 1.3 ms on bare Kestrel's p50 at
    /// 100 requests a second). Each request is handed to the client on that thread and answered on the thread pool.
    /// </remarks>
    public async Task<LoadResult> OpenLoopAsync(
        string name, double rate, TimeSpan duration, Func<long, HttpRequestMessage> request, Action<long, string>? onBody = null, CancellationToken stop = default)
    {
        var result = new LoadResult(name);
        var total = (long)(rate * duration.TotalSeconds);
        var inFlight = new List<Task>((int)Math.Min(total, 1_000_000));
        var paced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        long sent = 0;
        var pacer = new Thread(() =>
        {
            try
            {
                for (var i = 0L; i < total && !stop.IsCancellationRequested; i++)
                {
                    var intended = TimeSpan.FromSeconds(i / rate);
                    SleepUntil(clock, intended);
                    result.SendLag.Record(clock.Elapsed - intended);

                    inFlight.Add(SendAsync(result, request(i), i, clock, intended, onBody));
                    sent = i + 1;
                }

                paced.SetResult();
            }
            catch (Exception ex)
            {
                paced.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "open loop: " + name,
        };
        pacer.Start();
        await paced.Task;
        await Task.WhenAll(inFlight);
        result.Sent = sent;
        result.Elapsed = clock.Elapsed;
        return result;
    }

    /// <summary><paramref name="concurrency"/> senders share <paramref name="total"/> requests (or run for <paramref name="duration"/>).</summary>
    public async Task<LoadResult> ClosedLoopAsync(
        string name, int concurrency, long total, TimeSpan? duration, Func<long, HttpRequestMessage> request, Action<long, string>? onBody = null)
    {
        var result = new LoadResult(name);
        var next = -1L;
        var clock = Stopwatch.StartNew();
        var deadline = duration ?? TimeSpan.MaxValue;
        var senders = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            long i;
            while ((i = Interlocked.Increment(ref next)) < total && clock.Elapsed < deadline)
            {
                await SendAsync(result, request(i), i, clock, clock.Elapsed, onBody);
            }
        });
        await Task.WhenAll(senders);
        result.Sent = result.Latency.Count;
        result.Elapsed = clock.Elapsed;
        return result;
    }

    public void Dispose() => _client.Dispose();

    private static void SleepUntil(Stopwatch clock, TimeSpan due)
    {
        for (var remaining = due - clock.Elapsed; remaining > TimeSpan.Zero; remaining = due - clock.Elapsed)
        {
            PreciseSleep(remaining);
        }
    }

    /// <summary>Sleeps the calling thread for <paramref name="span"/>: <c>nanosleep</c> on Linux, whole milliseconds elsewhere.</summary>
    private static void PreciseSleep(TimeSpan span)
    {
        if (OperatingSystem.IsLinux())
        {
            var request = new NativeSleep.Timespec { Seconds = (long)span.TotalSeconds, Nanoseconds = span.Ticks % TimeSpan.TicksPerSecond * 100 };
            _ = NativeSleep.nanosleep(in request, IntPtr.Zero);
        }
        else
        {
            Thread.Sleep(Math.Max(1, (int)span.TotalMilliseconds));
        }
    }

    private async Task SendAsync(LoadResult result, HttpRequestMessage message, long index, Stopwatch clock, TimeSpan intended, Action<long, string>? onBody)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            result.Record(clock.Elapsed - intended, intended);
            if (!response.IsSuccessStatusCode)
            {
                result.Fail($"{(int)response.StatusCode} {body}");
                return;
            }

            onBody?.Invoke(index, body);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            result.Record(clock.Elapsed - intended, intended);
            result.TimedOut();
            result.Fail("timed out");
        }
        catch (HttpRequestException ex)
        {
            result.Record(clock.Elapsed - intended, intended);
            result.Fail(ex.Message);
        }
        finally
        {
            message.Dispose();
        }
    }
}

internal static partial class NativeSleep
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal static partial int nanosleep(in Timespec request, IntPtr remaining);
}
