using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.CrewRuns;
using Muster.Testing;

namespace Muster.Server.Tests.Caching;

/// <summary>
/// The status of a run executing on the node that answers comes from what the run's sink last stored, without a store
/// read, through real HTTP.
/// </summary>
public sealed class ExecutingRunStatusTests
{
    private const string GetRun = "GetRunAsync";

    [Fact]
    public async Task RunningRun_OnThisNode_IsAnsweredWithoutReadingTheStore_AndShowsItsStoredProgress()
    {
        var calls = new StoreCallCounter();
        await using var server = await StartAsync(calls);
        using var org = server.CreateClient(server.BootstrapToken);
        var id = await org.KickoffAsync(new JsonObject { ["topic"] = "live status" });
        // The first task has started and its start is stored (the LLM answers after a minute).
        await org.WaitForStatusAsync(id, s => s["current_task"]?.GetValue<string>() is not null);
        var reads = calls.Count(GetRun, id);

        var bodies = new List<JsonObject>();
        for (var i = 0; i < 3; i++)
        {
            var (status, body) = await org.GetJsonAsync($"/status/{id}");
            status.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
            bodies.Add(body);
        }

        (calls.Count(GetRun, id) - reads).ShouldBe(0);
        bodies.ShouldAllBe(b => b.ToJsonString() == bodies[0].ToJsonString());
        bodies[0].Is("running").ShouldBeTrue(bodies[0].ToJsonString());
        bodies[0]["state"]!.GetValue<string>().ShouldBe("RUNNING");
        bodies[0]["current_task"]!.GetValue<string>().ShouldBe("research_task");
        bodies[0]["progress"]!["completed_tasks"]!.GetValue<int>().ShouldBe(0);
        bodies[0]["progress"]!["total_tasks"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task RunningRun_OfAnotherUser_Answers404()
    {
        await using var server = await StartAsync(new StoreCallCounter());
        using var alice = await CrewRunsServer.NewUserAsync(server);
        using var bob = await CrewRunsServer.NewUserAsync(server);
        var id = await alice.Client.KickoffAsync(new JsonObject { ["topic"] = "private" });
        await alice.Client.WaitForStatusAsync(id, s => s["current_task"]?.GetValue<string>() is not null);

        var (status, body) = await bob.Client.GetJsonAsync($"/status/{id}");

        status.ShouldBe(HttpStatusCode.NotFound, body.ToJsonString());
        (await alice.Client.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task LegacyStatus_WhichShowsTaskOutputs_ReadsTheStore()
    {
        var calls = new StoreCallCounter();
        await using var server = await StartAsync(calls, legacy: true);
        using var org = server.CreateClient(server.BootstrapToken);
        var id = await org.KickoffAsync(new JsonObject { ["topic"] = "legacy" });
        await org.WaitForStatusAsync(id, s => s["state"]?.GetValue<string>() == "RUNNING");
        var reads = calls.Count(GetRun, id);

        (await org.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (calls.Count(GetRun, id) - reads).ShouldBe(1);
    }

    private static async Task<MusterServerFixture> StartAsync(StoreCallCounter calls, bool legacy = false)
    {
        var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Compat:Legacy"] = legacy ? "true" : "false",
                ["Muster:Execution:ShutdownGraceSeconds"] = "0",
            },
            Services = calls.Register,
        });
        server.Simulator.Latency = TimeSpan.FromMinutes(1);
        return server;
    }
}
