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

    public static Counters? TryStart(ChildProcess target, string folder)
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
            "--counters", "System.Runtime[dotnet.thread_pool.queue.length,dotnet.thread_pool.thread.count,dotnet.thread_pool.work_item.count]",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Counters(process, file);
    }

    /// <summary>Stops collecting and returns the peak queue length and how many threads the pool added meanwhile.</summary>
    public async Task<(double QueueLength, double ThreadsAdded)> StopAsync()
    {
        if (!_process.HasExited)
        {
            // dotnet-counters flushes its file on SIGINT, as on Ctrl+C.
            using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        // dotnet-counters reports these up-down counters as their change per interval: summed from the start (an idle
        // server has an empty queue) they give the queue length; the thread count's rises are threads the pool added.
        double queue = 0, peakQueue = 0, threadsAdded = 0;
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

                if (parts[2].Contains("queue.length", StringComparison.Ordinal))
                {
                    queue += value;
                    peakQueue = Math.Max(peakQueue, queue);
                }
                else if (parts[2].Contains("thread.count", StringComparison.Ordinal) && value > 0)
                {
                    threadsAdded += value;
                }
            }
        }

        return (peakQueue, threadsAdded);
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
