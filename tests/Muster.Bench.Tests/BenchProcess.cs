using System.Diagnostics;
using System.Text;

namespace Muster.Bench.Tests;

/// <summary>What a run of the harness as its own process printed, and how it ended.</summary>
internal sealed record BenchRun(int ExitCode, string Output, string Errors, TimeSpan Elapsed);

/// <summary>Runs the built harness (<c>dotnet Muster.Bench.dll …</c>) as a child process from the repository root, as bench/run.sh does.</summary>
internal static class BenchProcess
{
    public static string BenchDll { get; } = Path.Combine(TestRepo.Root, "bench/Muster.Bench/bin", TestRepo.Configuration, "net10.0/Muster.Bench.dll");

    public static string ServerDll { get; } = Path.Combine(TestRepo.Root, "src/Muster.Server/bin", TestRepo.Configuration, "net10.0/Muster.Server.dll");

    /// <summary>Runs the harness with <paramref name="args"/>; past <paramref name="timeout"/> kills it with every process it started.</summary>
    public static async Task<BenchRun> RunAsync(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestRepo.Root,
        };
        info.ArgumentList.Add(BenchDll);
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var errors = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(errors, e.Data);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // The harness's own server nodes, simulator and ceiling app go with it: left running, they would take the
            // machine's cores from every later test.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"The harness did not finish in {timeout}:\n{Read(output)}\n{Read(errors)}");
        }

        // Waits for the last redirected lines to be handled.
        process.WaitForExit();
        return new BenchRun(process.ExitCode, Read(output), Read(errors), clock.Elapsed);
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}
