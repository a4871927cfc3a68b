using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Muster.Bench;

/// <summary>What wrk reported for one run.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors);

/// <summary>wrk (from apt) for the closed-loop throughput scenario: 2 threads, fixed connections, its latency distribution.</summary>
internal static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(Uri url, int connections, TimeSpan duration, string? header = null)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-t2", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "--timeout", "10s" })
        {
            info.ArgumentList.Add(argument);
        }

        if (header is not null)
        {
            info.ArgumentList.Add("-H");
            info.ArgumentList.Add(header);
        }

        info.ArgumentList.Add(url.ToString());
        using var process = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {errors}{output}");
        }

        return Parse(output);
    }

    /// <summary>Reads wrk's summary (<c>--latency</c>); errors are the non-2xx/3xx answers plus every kind of socket error.</summary>
    internal static WrkResult Parse(string output)
    {
        var failed = Number(NonSuccess(), output) + Number(SocketErrors(), output);
        return new WrkResult(
            double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Milliseconds("50", output),
            Milliseconds("99", output),
            (long)Number(Requests(), output),
            (long)failed);
    }

    private static double Number(Regex regex, string output)
    {
        var match = regex.Match(output);
        return match.Success ? match.Groups.Cast<Group>().Skip(1).Sum(g => g.Success && g.Value.Length > 0 ? double.Parse(g.Value, CultureInfo.InvariantCulture) : 0) : 0;
    }

    private static double Milliseconds(string percentile, string output)
    {
        var match = Regex.Match(output, $@"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
