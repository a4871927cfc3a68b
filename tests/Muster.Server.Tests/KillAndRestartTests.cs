using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.StoreOutages;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>The server as a real process, killed with SIGKILL (or stopped with SIGTERM) mid-run and started again on the same database.</summary>
public sealed class KillAndRestartTests : ServerProcessTest
{
    private readonly string _token = "mst_kill_test_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task KilledMidRun_ContinuesAfterRestart_WithoutRerunningFinishedTasks()
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token);
        using var report = AnswerHold.About(Simulator, "crash Writer");
        Guid id;
        await using (var first = await MusterServerProcess.StartAsync(settings, Folder.Path))
        {
            using var client = first.CreateClient(_token);
            id = await client.KickoffAsync(new JsonObject { ["topic"] = "crash" });
            await client.WaitForStatusAsync(id, s => s["progress"]?["completed_tasks"]?.GetValue<int>() == 1);
            await report.WaitForCallAsync();
            await first.KillAsync();
        }

        var researcherCallsBeforeRestart = CallsFor("crash Researcher");
        researcherCallsBeforeRestart.ShouldBeGreaterThan(0);
        report.Release();

        await using var second = await MusterServerProcess.StartAsync(settings, Folder.Path);
        using var again = second.CreateClient(_token);
        var done = await again.WaitForFinishAsync(id);

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        done["result"]!["tasks"]!.AsArray().Select(t => t!["task_id"]!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
        CallsFor("crash Researcher").ShouldBe(researcherCallsBeforeRestart);
        CallsFor("crash Writer").ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Sigterm_StopsTheServer_AndTheRunFinishesAfterRestart()
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token);
        using var research = AnswerHold.About(Simulator, "term Researcher");
        Guid id;
        await using (var first = await MusterServerProcess.StartAsync(settings, Folder.Path))
        {
            using var client = first.CreateClient(_token);
            id = await client.KickoffAsync(new JsonObject { ["topic"] = "term" });
            await client.WaitForStatusAsync(id, s => s["state"]?.GetValue<string>() == "RUNNING");
            (await first.TerminateAsync(Eventually.DefaultLimit)).ShouldBeTrue("the server did not exit after SIGTERM");
        }

        research.Release();
        await using var second = await MusterServerProcess.StartAsync(settings, Folder.Path);
        using var again = second.CreateClient(_token);
        var done = await again.WaitForFinishAsync(id);
        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
    }

    [Fact]
    public async Task KilledWhileARunWaitsForALockedStore_ContinuesAfterRestart_WithoutRerunningFinishedTasks()
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token);
        // The writer gives up on another process's lock after a second or so, and the run waits to try again.
        settings["Muster:Storage:ConnectionString"] += ";Default Timeout=1";
        using var report = AnswerHold.About(Simulator, "locked Writer");
        Guid id;
        await using (var first = await MusterServerProcess.StartAsync(settings, Folder.Path))
        {
            using var client = first.CreateClient(_token);
            id = await client.KickoffAsync(new JsonObject { ["topic"] = "locked" });
            await client.WaitForStatusAsync(id, s => s["progress"]?["completed_tasks"]?.GetValue<int>() == 1);
            await report.WaitForCallAsync();
            using (OutageCalls.HoldWriteLock(Folder.Combine("muster.db")))
            {
                // The run now has its last task's result to store, and the file is locked: it waits, and is killed waiting.
                report.Release();
                await Eventually.Until(async () => (await client.ReadinessAsync()).Status == HttpStatusCode.ServiceUnavailable, "the node never noticed the lock");
                await first.KillAsync();
            }
        }

        var researcherCallsBeforeRestart = CallsFor("locked Researcher");
        await using var second = await MusterServerProcess.StartAsync(settings, Folder.Path);
        using var again = second.CreateClient(_token);
        var done = await again.WaitForFinishAsync(id, timeout: Eventually.ProcessLimit);

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        done["result"]!["tasks"]!.AsArray().Select(t => t!["task_id"]!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
        CallsFor("locked Researcher").ShouldBe(researcherCallsBeforeRestart, "the finished first task must not run again");
    }

    private int CallsFor(string text) => Simulator.Requests.Count(r => r.Mentions(text));
}
