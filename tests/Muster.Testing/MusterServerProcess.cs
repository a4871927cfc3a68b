using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Muster.Testing;

/// <summary>
/// The server as a separate process (<c>dotnet Muster.Server.dll</c>), for tests that kill it with SIGKILL and start it
/// again on the same database. Configuration goes in as environment variables.
/// </summary>
public sealed partial class MusterServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private MusterServerProcess(Process process, Uri baseAddress, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        BaseAddress = baseAddress;
        _output = output;
    }

    public Uri BaseAddress { get; }

    /// <summary>The lines the server wrote to stdout and stderr so far (its console log).</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <param name="args">Command-line arguments; by default <c>--urls http://127.0.0.1:0</c> (a free port).</param>
    public static async Task<MusterServerProcess> StartAsync(
        IReadOnlyDictionary<string, string?> settings, string workingDirectory, TimeSpan? timeout = null, IReadOnlyList<string>? args = null)
    {
        var start = StartInfo(settings, workingDirectory, args);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Observe(e.Data, output, listening);
        process.ErrorDataReceived += (_, e) => Observe(e.Data, output, listening);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => listening.TrySetException(
            new InvalidOperationException("The server exited before listening:\n" + string.Join('\n', output))), TaskScheduler.Default);

        try
        {
            var address = await listening.Task.WaitAsync(timeout ?? Eventually.ProcessLimit);
            return new MusterServerProcess(process, address, output);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the server until it exits on its own (a start that fails) and returns what it printed on stdout and stderr,
    /// separately; a generous bound only guards against a server that starts after all.
    /// </summary>
    public static async Task<ServerExit> RunUntilExitAsync(
        IReadOnlyDictionary<string, string?> settings, string workingDirectory, IReadOnlyList<string>? args = null)
    {
        using var process = Process.Start(StartInfo(settings, workingDirectory, args)) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Eventually.ProcessLimit);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The server did not exit by itself:\n" + await stdout);
        }

        return new ServerExit(process.ExitCode, Lines(await stdout), Lines(await stderr));

        static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public HttpClient CreateClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = Eventually.ProcessLimit };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>SIGKILL: the process gets no chance to record anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits up to <paramref name="timeout"/> for a graceful exit; true when the process exited.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> settings, string workingDirectory, IReadOnlyList<string>? args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerAssembly());
        foreach (var arg in args ?? ["--urls", "http://127.0.0.1:0"])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }

    private static void Observe(string? line, System.Collections.Concurrent.ConcurrentQueue<string> output, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    /// <summary>
    /// The server's own build output (it has its runtimeconfig), in the same configuration as the tests;
    /// the copy beside the tests is used when it can run on its own.
    /// </summary>
    private static string ServerAssembly()
    {
        var here = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(here, "Muster.Server.runtimeconfig.json")))
        {
            return Path.Combine(here, "Muster.Server.dll");
        }

        var configuration = new DirectoryInfo(here).Parent?.Name ?? "Debug";
        for (var dir = new DirectoryInfo(here); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Muster.Server", "bin", configuration, "net10.0", "Muster.Server.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Muster.Server.dll was not found; build src/Muster.Server first.");
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex ListeningLine();
}

/// <summary>How a server process that ended by itself exited, and the lines it printed on stdout and stderr.</summary>
public sealed record ServerExit(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{string.Join('\n', Stdout)}\n--- stderr\n{string.Join('\n', Stderr)}";
}
