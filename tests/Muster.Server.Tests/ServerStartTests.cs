using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Storage.Sqlite;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// The server as a real process that cannot start, or must not: each failure is one line naming the fix and exit code 1,
/// and a server that cannot serve claims nothing.
/// </summary>
public sealed class ServerStartTests : ServerProcessTest
{
    private readonly string _token = "mst_start_test_" + Guid.NewGuid().ToString("N");

    private string DatabaseFile => Folder.Combine("muster.db");

    [Theory]
    [InlineData("Muster:Auth:BootstrapToken", new string[0], "Muster:Auth:BootstrapToken", "too-short")]
    [InlineData("Muster:Execution:MaxConcurrentRuns", new string[0], "Muster:Execution:MaxConcurrentRuns", "0")]
    [InlineData("Muster:Storage:Provider", new string[0], "Muster:Storage:Provider", "mysql")]
    [InlineData("Muster:Storage:ConnectionString", new string[0],
        "Muster:Storage:Provider", "postgres", "Muster:Storage:ConnectionString", "Host=127.0.0.1;Port=1;Username=muster;Database=muster;Timeout=3")]
    [InlineData("--urls", new[] { "--urls", "not-a-url" })]
    public async Task AStartThatFails_PrintsOneLineNamingTheFix_AndExits1(string fix, string[] args, params string[] overrides)
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token);
        for (var i = 0; i < overrides.Length; i += 2)
        {
            settings[overrides[i]] = overrides[i + 1];
        }

        var exit = await MusterServerProcess.RunUntilExitAsync(settings, Folder.Path, args.Length == 0 ? null : args);

        exit.ExitCode.ShouldBe(1, exit.ToString());
        exit.Stderr.ShouldHaveSingleItem(exit.ToString()).ShouldStartWith("error: ");
        exit.Stderr[0].ShouldContain(fix);
        exit.Stdout.Concat(exit.Stderr).ShouldNotContain(line => line.StartsWith("at ", StringComparison.Ordinal), exit.ToString());
    }

    [Fact]
    public async Task APortInUse_IsOneLineNamingUrls_AndTheServerClaimsNoRunBeforeItCanServe()
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token);
        using var research = AnswerHold.About(Simulator, "busy Researcher");
        var id = await LeaveARunningRunAsync(settings, "busy", research);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        settings["Muster:Execution:NodeId"] = "blocked";
        var exit = await MusterServerProcess.RunUntilExitAsync(settings, Folder.Path, ["--urls", url]);

        exit.ExitCode.ShouldBe(1, exit.ToString());
        var line = exit.Stderr.ShouldHaveSingleItem(exit.ToString());
        line.ShouldContain(url);
        line.ShouldContain("--urls");
        exit.Stdout.ShouldNotContain(l => l.StartsWith("at ", StringComparison.Ordinal), exit.ToString());
        using var store = new SqliteRunStore($"Data Source={DatabaseFile}", TimeProvider.System);
        (await store.GetRunAsync(id, CancellationToken.None))!.LeaseOwner.ShouldBe("crashed");
        research.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task ASecondServerOnTheSameSqliteFile_ExitsAtOnce_AndTheFirstServersRunGoesOnUntouched()
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token);
        using var research = AnswerHold.About(Simulator, "shared Researcher");
        await using var first = await MusterServerProcess.StartAsync(settings, Folder.Path);
        using var client = first.CreateClient(_token);
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "shared" });
        await research.WaitForCallAsync();

        var second = await MusterServerProcess.RunUntilExitAsync(settings, Folder.Path);
        // The second process is gone: whatever it did to the run, it did by now.
        var callsBeforeRelease = research.Calls;
        research.Release();
        var done = await client.WaitForFinishAsync(id, timeout: Eventually.ProcessLimit);

        second.ExitCode.ShouldBe(1, second.ToString());
        var line = second.Stderr.ShouldHaveSingleItem(second.ToString());
        line.ShouldBe($"error: Another Muster server serves the store {DatabaseFile}; stop it first, or give this one its own store with Muster:Storage:ConnectionString.");
        second.Stdout.ShouldNotContain(l => l.Contains("Now listening", StringComparison.Ordinal), second.ToString());
        callsBeforeRelease.ShouldBe(1);
        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        File.Exists(SqliteServerLock.PathFor(DatabaseFile)).ShouldBeTrue();
    }

    /// <summary>Kicks off a run on a server (node "crashed") and kills it while the run waits on <paramref name="hold"/>.</summary>
    private async Task<Guid> LeaveARunningRunAsync(Dictionary<string, string?> settings, string topic, AnswerHold hold)
    {
        settings["Muster:Execution:NodeId"] = "crashed";
        await using var server = await MusterServerProcess.StartAsync(settings, Folder.Path);
        using var client = server.CreateClient(_token);
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = topic });
        await hold.WaitForCallAsync();
        await server.KillAsync();
        return id;
    }
}
