using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Muster.Testing;

namespace Muster.Cli.Tests;

/// <summary>What one run of <c>muster</c> printed and how it exited.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// <c>dotnet muster.dll …</c> as a real process, stdin, stdout and stderr redirected (so: not a terminal), with only the
/// environment a test gives it (inherited MUSTER_* variables removed).
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();
    private readonly Task _pumps;

    private CliProcess(Process process)
    {
        _process = process;
        // Character by character, not line by line: a terminal prompt waits for an answer without ending its line.
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, _stdout), PumpAsync(process.StandardError, _stderr));
    }

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _stdout + "\n" + _stderr;
            }
        }
    }

    public int Id => _process.Id;

    /// <summary>Runs <c>muster</c> to its end (a generous bound only guards against a hang).</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        await using var process = Start(environment, args);
        return await process.WaitAsync(Eventually.ProcessLimit);
    }

    public static CliProcess Start(IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Start(environment, interruptible: false, args);

    /// <summary>
    /// Starts <c>muster</c>; with <paramref name="interruptible"/> its SIGINT is reset to the default first (coreutils
    /// <c>env --default-signal</c>), because a test host started in the background of a script ignores SIGINT, children
    /// inherit that, and .NET then leaves SIGINT ignored: <see cref="InterruptAsync"/> would do nothing.
    /// </summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string?>? environment, bool interruptible, params string[] args)
    {
        var start = new ProcessStartInfo(interruptible ? "env" : "dotnet");
        if (interruptible)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(MusterDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Start(start, environment);
    }

    /// <summary>
    /// Runs <c>muster</c> on a pseudo-terminal (util-linux <c>script</c>), as a person would: what the test writes with
    /// <see cref="TypeAsync"/> is typed at the terminal (<c>\u0003</c> is Ctrl-C), and the output is the terminal's.
    /// </summary>
    public static CliProcess StartInTerminal(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(TerminalFactAttribute.Script);
        start.ArgumentList.Add("-qefc");
        // A suite started from a background job (`cmd &` without job control, nohup, some CI runners) inherits SIGINT as
        // ignored, and .NET then never raises Ctrl-C: give muster the default disposition a person's terminal has.
        // script runs the command through $SHELL -c. Without exec, a shell such as dash (/bin/sh, or wherever SHELL is unset)
        // stays in between as muster's parent in the terminal's process group: Ctrl-C then kills the shell, and script
        // reports 130 whatever muster itself answered.
        start.ArgumentList.Add("exec " + string.Join(' ', new[] { "env", "--default-signal=INT", "dotnet", MusterDll }.Concat(args).Select(Quote)));
        start.ArgumentList.Add("/dev/null");
        return Start(start, environment);
    }

    public async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    private static string MusterDll => Path.Combine(AppContext.BaseDirectory, "muster.dll");

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static CliProcess Start(ProcessStartInfo start, IReadOnlyDictionary<string, string?>? environment)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MUSTER", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        return new CliProcess(process);
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>
    /// Waits until the output (stdout or stderr) matches <paramref name="pattern"/> and returns the match; fails at once when
    /// muster exits without printing it. <paramref name="limit"/> is only a ceiling against a hang (default: <see cref="Eventually.ProcessLimit"/>).
    /// </summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan? limit = null)
    {
        await Eventually.Until(() => Task.FromResult(Output), text => pattern.IsMatch(text) || _process.HasExited, $"muster never printed {pattern}", limit ?? Eventually.ProcessLimit);
        if (pattern.Match(Output) is { Success: true } match)
        {
            return match;
        }

        // It exited: what it printed last may still be on its way through the pipes.
        await _pumps;
        return pattern.Match(Output) is { Success: true } late
            ? late
            : throw new InvalidOperationException($"muster exited ({_process.ExitCode}) before printing {pattern}:\n{Output}");
    }

    /// <summary>Waits for the process to exit and returns what it printed (<paramref name="limit"/> is only a ceiling against a hang).</summary>
    public async Task<CliResult> WaitAsync(TimeSpan? limit = null)
    {
        try
        {
            await Task.WhenAll(_process.WaitForExitAsync(), _pumps).WaitAsync(limit ?? Eventually.ProcessLimit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"muster did not exit within {(limit ?? Eventually.ProcessLimit).TotalSeconds:0} s:\n{Output}");
        }

        lock (_lock)
        {
            return new CliResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder target)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_lock)
            {
                target.Append(buffer, 0, read);
            }
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
