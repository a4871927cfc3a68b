using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.Webhooks;
using Muster.Testing;

namespace Muster.Server.Tests.MultiNode;

/// <summary>
/// Two or three real server processes on one PostgreSQL database: runs are shared out and each executes on one node at
/// a time, a killed node's run is taken over, stop and resume work from any node, and SSE on one node shows events
/// produced on another.
/// </summary>
public sealed class MultiNodeTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [PostgresFact]
    public async Task ManyKickoffsSpreadOverThreeNodes_AllCompleteAndEachTaskRunsOnce()
    {
        await using var cluster = await MultiNodeCluster.StartAsync(3, path => TestCrews.WriteTwoTaskCrew(path),
            new Dictionary<string, string?>
            {
                ["Muster:Execution:MaxConcurrentRuns"] = "4",
                // Takeovers are the next test's subject; here a lease must not lapse because a loaded machine stalled a node.
                ["Muster:Execution:LeaseSeconds"] = "15",
                ["Muster:Execution:HeartbeatSeconds"] = "2",
            });
        cluster.Simulator.Latency = TimeSpan.FromMilliseconds(100);
        var clients = Enumerable.Range(0, 3).Select(cluster.Client).ToList();

        var ids = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => clients[i % 3].KickoffAsync(new JsonObject { ["topic"] = $"spread {i}" })));

        for (var i = 0; i < ids.Length; i++)
        {
            var done = await clients[(i + 1) % 3].WaitForFinishAsync(ids[i], timeout: Long);
            done.Is("completed").ShouldBeTrue(done.ToJsonString());
        }

        (await cluster.ScalarAsync<long>("SELECT count(*) FROM runs WHERE state = 'completed'")).ShouldBe(30);
        (await cluster.ScalarAsync<long>("SELECT count(*) FROM task_results")).ShouldBe(60);
        (await cluster.ScalarAsync<long>("SELECT count(DISTINCT (run_id, task_name)) FROM task_results")).ShouldBe(60);
        (await cluster.ScalarAsync<long>("SELECT count(*) FROM run_events WHERE type = 'task_started'")).ShouldBe(60, "a task started twice means a run executed twice");
        var executions = ids.Select(cluster.ExecutionsOf).ToList();
        foreach (var id in ids)
        {
            cluster.ExecutionsOf(id).Sum().ShouldBe(1, $"each run is executed by exactly one node:\n{cluster.LogOf(id)}");
        }

        Enumerable.Range(0, 3).Count(node => executions.Any(perNode => perNode[node] > 0))
            .ShouldBeGreaterThan(1, "with at most 4 runs per node, 30 runs must spread over the nodes");
    }

    [PostgresFact]
    public async Task NodeKilledMidRun_AnotherNodeTakesOverAtTheFirstUnfinishedTask()
    {
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path));

        // The second task's answer is held until the executing node is dead, so the kill always lands mid-run,
        // however slowly a loaded machine polls.
        using var report = AnswerHold.About(cluster.Simulator, "takeover Writer");
        using var first = cluster.Client(0);
        var id = await first.KickoffAsync(new JsonObject { ["topic"] = "takeover" });
        await first.WaitForStatusAsync(id, s => s["progress"]?["completed_tasks"]?.GetValue<int>() == 1, timeout: Long);
        await report.WaitForCallAsync();

        var victim = await cluster.ExecutingNodeAsync(id);
        await cluster.Nodes[victim].KillAsync();
        var researcherCalls = CallsFor(cluster, "takeover Researcher");
        report.Release();

        var survivor = 1 - victim;
        using var client = cluster.Client(survivor);
        var done = await client.WaitForFinishAsync(id, timeout: Long);

        done.Is("completed").ShouldBeTrue(done.ToJsonString());
        done["result"]!["tasks"]!.AsArray().Select(t => t!["task_id"]!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
        CallsFor(cluster, "takeover Researcher").ShouldBe(researcherCalls, "the finished first task must not run again");
        cluster.ExecutionsOf(id)[survivor].ShouldBe(1);
        (await cluster.RunScalarAsync<long>(id, "SELECT count(*) FROM task_results WHERE run_id = @id")).ShouldBe(2);
    }

    [PostgresFact]
    public async Task NodeStoppedWithSigterm_HandsItsRunBack_AndAnotherNodeContinuesWithoutWaitingForTheLease()
    {
        // A five-minute lease: only the hand-back at shutdown lets the other node finish the run within the test's patience.
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path),
            new Dictionary<string, string?> { ["Muster:Execution:LeaseSeconds"] = "300" });
        using var research = AnswerHold.About(cluster.Simulator, "handback Researcher");
        using var starter = cluster.Client(0);
        var id = await starter.KickoffAsync(new JsonObject { ["topic"] = "handback" });
        var leaving = await cluster.ExecutingNodeAsync(id);

        (await cluster.Nodes[leaving].TerminateAsync(Eventually.DefaultLimit)).ShouldBeTrue("the node did not exit after SIGTERM");
        research.Release();

        using var client = cluster.Client(1 - leaving);
        var done = await client.WaitForFinishAsync(id, timeout: Long);
        done.Is("completed").ShouldBeTrue(done.ToJsonString());
        cluster.ExecutionsOf(id)[1 - leaving].ShouldBe(1);
    }

    [PostgresFact]
    public async Task StopOnANodeThatDoesNotExecuteTheRun_StopsItWhereItRuns()
    {
        // Takeovers are another test's subject; here the run must stay where it runs, however long a loaded machine stalls a node.
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path),
            new Dictionary<string, string?> { ["Muster:Execution:LeaseSeconds"] = "300" });
        using var research = AnswerHold.About(cluster.Simulator, "halt Researcher");
        using var starter = cluster.Client(0);
        var id = await starter.KickoffAsync(new JsonObject { ["topic"] = "halt" });
        var executing = await cluster.ExecutingNodeAsync(id);

        using var other = cluster.Client(1 - executing);
        var (code, body) = await (await other.PostAsync($"/stop/{id}", null)).ReadJsonAsync();

        code.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
        var done = await other.WaitForFinishAsync(id, timeout: Long);
        done.Is("error").ShouldBeTrue(done.ToJsonString());
        (await cluster.RunScalarAsync<string>(id, "SELECT state FROM runs WHERE id = @id")).ShouldBe("stopped");
        (await cluster.RunScalarAsync<string>(id, "SELECT error FROM runs WHERE id = @id")).ShouldStartWith("Stopped by");
        cluster.ExecutionsOf(id).Sum().ShouldBe(1);
        (await cluster.RunScalarAsync<long>(id, "SELECT count(*) FROM task_results WHERE run_id = @id")).ShouldBeLessThan(2);
    }

    [PostgresFact]
    public async Task StopFlaggedInTheStoreWithoutASignal_StopsTheRunAtTheNextHeartbeat()
    {
        await using var cluster = await MultiNodeCluster.StartAsync(1, path => TestCrews.WriteTwoTaskCrew(path));
        using var research = AnswerHold.About(cluster.Simulator, "flag Researcher");
        using var client = cluster.Client(0);
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "flag" });
        await cluster.ExecutingNodeAsync(id);

        // What POST /stop stores for an executing run, with the notification to its node lost.
        await cluster.RunScalarAsync<int>(id, "UPDATE runs SET stop_requested = TRUE WHERE id = @id");

        var done = await client.WaitForFinishAsync(id, timeout: Long);
        done.Is("error").ShouldBeTrue(done.ToJsonString());
        (await cluster.RunScalarAsync<string>(id, "SELECT state FROM runs WHERE id = @id")).ShouldBe("stopped");
        (await cluster.RunScalarAsync<string>(id, "SELECT error FROM runs WHERE id = @id")).ShouldStartWith("Stopped by a stop request");
    }

    [PostgresFact]
    public async Task PausedRun_ResumedOnAnotherNode_Completes()
    {
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteReviewCrew(path));
        using var starter = cluster.Client(0);
        using var reviewer = cluster.Client(1);
        var id = await starter.KickoffAsync(new JsonObject { ["question"] = "How do I reset my password?" });
        await reviewer.WaitForStatusAsync(id, s => s["pending_human_input"] is not null, timeout: Long);

        using var resumed = await reviewer.ResumeAsync(new JsonObject
        {
            ["execution_id"] = id.ToString(),
            ["task_id"] = "draft_reply",
            ["human_feedback"] = "Looks good",
            ["is_approve"] = true,
        });

        resumed.StatusCode.ShouldBe(HttpStatusCode.OK, await resumed.Content.ReadAsStringAsync());
        var done = await starter.WaitForFinishAsync(id, timeout: Long);
        done.Is("completed").ShouldBeTrue(done.ToJsonString());
        (await cluster.RunScalarAsync<string>(id, "SELECT state FROM runs WHERE id = @id")).ShouldBe("completed");
    }

    [PostgresFact]
    public async Task EventStreamOnOneNode_ShowsEventsProducedOnAnother()
    {
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path));
        using var research = AnswerHold.About(cluster.Simulator, "live Researcher");
        using var starter = cluster.Client(0);
        var id = await starter.KickoffAsync(new JsonObject { ["topic"] = "live" });
        var executing = await cluster.ExecutingNodeAsync(id);
        using var watcher = cluster.Client(1 - executing);
        watcher.Timeout = Long;

        // The watcher's SSE heartbeat is ten minutes: only notifications from the executing node make this stream move.
        using var stream = await watcher.OpenEventStreamAsync(id);
        research.Release();
        var events = await stream.ReadEventsAsync();

        events.ShouldNotBeEmpty();
        events[^1].Type.ShouldBe("crew_kickoff_completed");
        events.Select(e => e.Id).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        (await cluster.RunScalarAsync<long>(id, "SELECT count(*) FROM run_events WHERE run_id = @id")).ShouldBe(events.Count);
        cluster.ExecutionsOf(id)[1 - executing].ShouldBe(0, "the run must have executed on the other node");
    }

    [PostgresFact]
    public async Task WebhooksFromThreeDispatchers_ArriveOnceEachAndInOrderPerRunAndUrl()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var cluster = await MultiNodeCluster.StartAsync(3, path => TestCrews.WriteTwoTaskCrew(path), new Dictionary<string, string?>
        {
            ["Muster:Webhooks:SigningSecret"] = WebhookTestServer.Secret,
            ["Muster:Webhooks:AllowPrivateNetworks"] = "true",
            ["Muster:Webhooks:PollInterval"] = "00:00:00.050",
            ["Muster:Webhooks:BaseRetryDelay"] = "00:00:00.050",
            ["Muster:Webhooks:MaxRetryDelay"] = "00:00:00.200",
            ["Muster:Webhooks:AttemptTimeout"] = "00:00:05",
        });
        // Failures make queues wait and retry, so that dispatchers on different nodes take turns on one queue.
        receiver.FailNext(8, status: 503);
        var clients = Enumerable.Range(0, 3).Select(cluster.Client).ToList();

        var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var response = await clients[i % 3].PostKickoffAsync(new JsonObject
            {
                ["inputs"] = new JsonObject { ["topic"] = $"hooks {i}" },
                ["taskWebhookUrl"] = receiver.Url("hook"),
                ["crewWebhookUrl"] = receiver.Url("hook"),
            });
            var (status, body) = await response.ReadJsonAsync();
            status.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
            return body["kickoff_id"]!.GetValue<string>();
        }));
        await receiver.WaitForAcceptedAsync(36, timeout: Long);
        await cluster.WaitUntilAsync("SELECT count(*) = 0 FROM deliveries WHERE state = 'pending'");
        var accepted = receiver.Accepted;

        accepted.Count.ShouldBe(36);
        accepted.Select(w => w.Header("Muster-Event-Id")).ShouldBeUnique();
        foreach (var id in ids)
        {
            accepted.Select(w => w.Json()).Where(b => b["kickoff_id"]!.GetValue<string>() == id)
                .Select(b => b["name"]?.GetValue<string>() ?? "crew")
                .ShouldBe(["research_task", "report_task", "crew"], $"webhooks of run {id}");
        }
    }

    private static int CallsFor(MultiNodeCluster cluster, string text) =>
        cluster.Simulator.Requests.Count(r => r.Mentions(text));
}
