using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Muster.Bench;

/// <summary>
/// A process this harness started (a server node, the simulator, the ceiling app), killed with its children on dispose,
/// and when the harness itself is stopped (Ctrl+C, SIGTERM): a server left running would take CPU from every later
/// measurement on the machine. The address it listens on is read from its output, so every process can bind port 0.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private static readonly HashSet<Process> Running = [];
    private static readonly Lock RunningLock = new();
    private static readonly PosixSignalRegistration[] StopSignals =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillAll()),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll()),
    ];

    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _lastLines = new();
    private readonly Lock _linesLock = new();

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public Uri Url { get; private set; } = null!;

    /// <summary>Starts <paramref name="fileName"/> and waits until it says where it listens.</summary>
    public static async Task<ChildProcess> StartAsync(
        string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._listening.TrySetException(
            new InvalidOperationException($"{name} exited with code {process.ExitCode} before listening:\n{child.LastLines()}"));
        process.Start();
        lock (RunningLock)
        {
            Running.Add(process);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            child.Url = await child._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    /// <summary>Peak and current resident set size in bytes (VmHWM and VmRSS of /proc/PID/status) and the thread count.</summary>
    public (long PeakRss, long Rss, int Threads) Memory()
    {
        long peak = 0, rss = 0;
        var threads = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = KiloBytes(line);
                }
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = KiloBytes(line);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line.AsSpan(8).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process has exited: nothing left to measure.
        }

        return (peak, rss, threads);
    }

    /// <summary>Open file descriptors: each in-flight LLM call holds a socket, so the peak tracks concurrent calls.</summary>
    public int OpenFiles()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{_process.Id}/fd").Count();
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>CPU time (user + system) the process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
    }

    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public string LastLines()
    {
        lock (_linesLock)
        {
            return string.Join('\n', _lastLines);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (RunningLock)
        {
            Running.Remove(_process);
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }

    /// <summary>Kills every child still running; the signal's default action (ending the harness) follows.</summary>
    private static void KillAll()
    {
        lock (RunningLock)
        {
            foreach (var process in Running)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }

            Running.Clear();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_linesLock)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 40)
            {
                _lastLines.Dequeue();
            }
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    private static long KiloBytes(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    // Kestrel's "Now listening on: http://127.0.0.1:PORT" and this tool's own "LISTENING http://…".
    [GeneratedRegex(@"(?:Now listening on:|LISTENING)\s+(http://\S+)")]
    private static partial Regex ListeningLine();
}
