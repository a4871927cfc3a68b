using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.StoreOutages;
using Muster.Testing;

namespace Muster.Server.Tests.MultiNode;

/// <summary>
/// Two nodes on a PostgreSQL cluster of the test's own, restarted or stopped with runs in flight: no run fails, no task
/// runs twice, requests answer 503 with <c>Retry-After</c> meanwhile, an open event stream stays open and ends with the
/// run, and each node logs the outage once when it begins and once when it ends.
/// </summary>
public sealed class PostgresOutageTests
{
    private const int Runs = 16;
    private static readonly TimeSpan Long = Eventually.DefaultLimit;

    // A lease far longer than any outage here: a run must go on where it paused, not be taken over after its lease lapsed.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Muster:Execution:LeaseSeconds"] = "120",
        ["Muster:Execution:HeartbeatSeconds"] = "2",
        ["Muster:Execution:MaxConcurrentRuns"] = "16",
    };

    [PrivatePostgresFact]
    public async Task ARestartWithRunsInFlightOnTwoNodes_FailsNoRun_AndRunsNoTaskTwice()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path), Settings, postgres.Server);
        using var report = AnswerHold.About(cluster.Simulator, "(task two)");
        var clients = Enumerable.Range(0, 2).Select(cluster.Client).ToList();
        var ids = await Task.WhenAll(Enumerable.Range(0, Runs).Select(i => clients[i % 2].KickoffAsync(new JsonObject { ["topic"] = $"restart {i}" })));
        await Eventually.Until(() => report.Calls >= Runs, "every run reached its second task");

        // The answers arrive a moment after the restart began: every run then stores its last task and its end while
        // the server goes down and comes back, the writes the issue saw fail.
        cluster.Simulator.Latency = TimeSpan.FromMilliseconds(200);
        var restart = postgres.RestartAsync();
        report.Release();
        await restart;

        await AllCompleteAsync(cluster, clients, ids);
    }

    [PrivatePostgresFact]
    public async Task WhileTheDatabaseIsDown_NodesAnswer503_StreamsStayOpen_AndEverythingCompletesWhenItReturns()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path), Settings, postgres.Server);
        using var research = AnswerHold.About(cluster.Simulator, "(task one)");
        var clients = Enumerable.Range(0, 2).Select(cluster.Client).ToList();
        var ids = await Task.WhenAll(Enumerable.Range(0, Runs).Select(i => clients[i % 2].KickoffAsync(new JsonObject { ["topic"] = $"down {i}" })));
        await Eventually.Until(() => research.Calls >= Runs, "every run reached its first task");
        using var watcher = cluster.Client(1);
        watcher.Timeout = Timeout.InfiniteTimeSpan;
        using var stream = await watcher.OpenEventStreamAsync(ids[0]);
        var streamed = stream.ReadEventsAsync();

        await postgres.StopAsync();
        // Every run now has a task result to store, with the database gone.
        research.Release();

        foreach (var client in clients)
        {
            using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
            (await anonymous.ReadinessAsync()).Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await client.ReadinessAsync()).Status.ShouldBe(HttpStatusCode.ServiceUnavailable, "with a bearer token too");
            using var refused = await client.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "refused" } });
            var (status, body) = await refused.ReadJsonAsync();
            status.ShouldBe(HttpStatusCode.ServiceUnavailable, body.ToJsonString());
            refused.Headers.RetryAfter.ShouldNotBeNull();
            using var history = await client.GetAsync("/api/crew-runs");
            history.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            history.Headers.RetryAfter.ShouldNotBeNull();
        }

        streamed.IsCompleted.ShouldBeFalse("the event stream must stay open while the database is away");
        await postgres.StartAgainAsync();

        await AllCompleteAsync(cluster, clients, ids);
        var events = await streamed.WaitAsync(Long);
        events.ShouldNotBeEmpty();
        events[^1].Type.ShouldBe("crew_kickoff_completed");
        foreach (var node in cluster.Nodes)
        {
            await Eventually.Until(() => node.Output.Any(line => line.Contains("The run store serves again", StringComparison.Ordinal)), "a node never logged the store's return");
            node.Output.Count(line => line.Contains("The run store is failing", StringComparison.Ordinal)).ShouldBe(1, string.Join('\n', node.Output));
            node.Output.Count(line => line.Contains("The run store serves again", StringComparison.Ordinal)).ShouldBe(1);
            node.Output.ShouldNotContain(line => line.Contains("Unhandled exception", StringComparison.Ordinal));
        }
    }

    private static async Task AllCompleteAsync(MultiNodeCluster cluster, List<HttpClient> clients, Guid[] ids)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            var done = await clients[(i + 1) % 2].WaitForFinishAsync(ids[i], timeout: Long);
            done.Is("completed").ShouldBeTrue($"{done.ToJsonString()}\n{cluster.LogOf(ids[i])}");
        }

        (await cluster.ScalarAsync<long>("SELECT count(*) FROM runs WHERE state = 'completed'")).ShouldBe(ids.Length);
        (await cluster.ScalarAsync<long>("SELECT count(*) FROM task_results")).ShouldBe(2 * ids.Length);
        (await cluster.ScalarAsync<long>("SELECT count(*) FROM run_events WHERE type = 'task_started'")).ShouldBe(2 * ids.Length, "no task ran twice");
        foreach (var id in ids)
        {
            cluster.ExecutionsOf(id).Sum().ShouldBe(1, $"each run executed once, from start to end:\n{cluster.LogOf(id)}");
        }
    }
}
