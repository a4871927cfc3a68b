using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Muster.Server.Tests.MultiNode;

/// <summary>
/// A PostgreSQL cluster of one test's own (<c>scripts/postgres.sh</c> with a temp <c>MUSTER_PG_DIR</c>), which the test may
/// restart or stop without touching the cluster every other test shares. Deleted on dispose.
/// </summary>
internal sealed partial class PrivatePostgres : IAsyncDisposable
{
    private static readonly TimeSpan ScriptPatience = TimeSpan.FromMinutes(3);
    private readonly string _directory;

    private PrivatePostgres(string directory, string server)
    {
        _directory = directory;
        Server = server;
    }

    /// <summary>A connection string to the cluster's <c>muster_test</c> database, as superuser.</summary>
    public string Server { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "muster-pg-own-" + Guid.NewGuid().ToString("N")[..12]);
        var output = await RunAsync(directory, "start");
        var server = ExportLine().Match(output) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"scripts/postgres.sh start printed no connection string: {output}");
        return new PrivatePostgres(directory, server);
    }

    /// <summary><c>pg_ctl restart -m fast</c>: every session ends, and the server is back within a second or two.</summary>
    public async Task RestartAsync()
    {
        await RunAsync(_directory, "restart");
        ForgetSessions();
    }

    /// <summary>Stops the server (fast: sessions end), keeping its data.</summary>
    public async Task StopAsync()
    {
        await RunAsync(_directory, "down");
        ForgetSessions();
    }

    /// <summary>Starts the stopped server again, on the same port.</summary>
    public Task StartAgainAsync() => RunAsync(_directory, "up");

    public async ValueTask DisposeAsync() => await RunAsync(_directory, "stop");

    // The test's own pooled sessions (its queries about the runs) ended with the server: they must not be lent again.
    private static void ForgetSessions() => Npgsql.NpgsqlConnection.ClearAllPools();

    private static async Task<string> RunAsync(string directory, string verb)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "scripts", "postgres.sh"), verb])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MUSTER_PG_DIR"] = directory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(ScriptPatience);
        await process.WaitForExitAsync(patience.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh {verb} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Muster.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Muster.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("MUSTER_TEST_PG='([^']+)'")]
    private static partial Regex ExportLine();
}

/// <summary>
/// A test that runs a <see cref="PrivatePostgres"/>: needs PostgreSQL's server programs (which <c>scripts/postgres.sh</c>
/// installs for the suite); reported as skipped, saying why, without them.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PrivatePostgresFactAttribute : FactAttribute
{
    public PrivatePostgresFactAttribute()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            && Directory.EnumerateDirectories("/usr/lib/postgresql").Any(version => File.Exists(Path.Combine(version, "bin", "pg_ctl")));
        if (!installed)
        {
            Skip = "PostgreSQL's server programs (pg_ctl) are not installed: run scripts/postgres.sh once, which installs them.";
        }
    }
}
