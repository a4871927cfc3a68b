using System.Diagnostics;
using System.Globalization;

namespace Muster.Bench;

/// <summary>
/// dotnet-counters on a server process, when it is installed (bench/run.sh puts it in /tmp/dt): the thread pool's
/// queue length and thread count, the signs of thread-pool starvation.
/// </summary>
internal sealed class Counters : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _file;

    private Counters(Process process, string file)
    {
        _process = process;
        _file = file;
    }

    /// <summary>Samples <paramref name="target"/> for <paramref name="duration"/> (the tool stops itself: it ignores signals when its input is not a terminal).</summary>
    public static Counters? TryStart(ChildProcess target, string folder, TimeSpan duration)
    {
        var tool = new[]
        {
            Environment.GetEnvironmentVariable("MUSTER_BENCH_DOTNET_COUNTERS"),
            "/tmp/dt/dotnet-counters",
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet/tools/dotnet-counters"),
        }.FirstOrDefault(File.Exists);
        if (tool is null)
        {
            return null;
        }

        var file = Path.Combine(folder, "counters.csv");
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "collect", "-p", target.Id.ToString(CultureInfo.InvariantCulture), "--refresh-interval", "1", "--format", "csv", "-o", file,
            "--duration", duration.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture),
            // The EventCounters report absolute values each second (the newer meters report these as changes).
            "--counters", @"EventCounters\System.Runtime[threadpool-queue-length,threadpool-thread-count]",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Counters(process, file);
    }

    /// <summary>Waits for the sampling to end and returns the peak queue length and thread count (NaN when nothing was collected).</summary>
    public async Task<(double QueueLength, double Threads)> ResultAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            }
            catch (TimeoutException)
            {
                _process.Kill();
            }
        }

        double peakQueue = 0, peakThreads = 0;
        if (File.Exists(_file))
        {
            foreach (var line in await File.ReadAllLinesAsync(_file))
            {
                // Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
                var parts = line.Split(',');
                if (parts.Length < 5 || !double.TryParse(parts[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    continue;
                }

                if (parts[2].Contains("Queue Length", StringComparison.Ordinal))
                {
                    peakQueue = Math.Max(peakQueue, value);
                }
                else if (parts[2].Contains("Thread Count", StringComparison.Ordinal))
                {
                    peakThreads = Math.Max(peakThreads, value);
                }
            }
        }
        else
        {
            return (double.NaN, double.NaN);
        }

        return (peakQueue, peakThreads);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
