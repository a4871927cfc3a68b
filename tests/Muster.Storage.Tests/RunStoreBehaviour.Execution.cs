using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [StoreFact]
    public async Task TryClaimRun_ClaimsPendingRunsInKickoffOrder()
    {
        var second = await CreateAsync(Run(T0.AddSeconds(2)));
        var first = await CreateAsync(Run(T0.AddSeconds(1)));

        var claimed = (await Runs.TryClaimRunAsync("node-a", T0.AddMinutes(1), Lease, Ct)).ShouldNotBeNull();

        claimed.Id.ShouldBe(first);
        claimed.State.ShouldBe(RunState.Running);
        claimed.LeaseOwner.ShouldBe("node-a");
        claimed.LeaseExpiresAt.ShouldBe(T0.AddMinutes(1) + Lease);
        claimed.StartedAt.ShouldBe(T0.AddMinutes(1));
        (await Runs.TryClaimRunAsync("node-a", T0.AddMinutes(1), Lease, Ct))!.Id.ShouldBe(second);
        (await Runs.TryClaimRunAsync("node-a", T0.AddMinutes(1), Lease, Ct)).ShouldBeNull();
    }

    [StoreFact]
    public async Task TryClaimRun_WithLiveLease_LeavesRunToItsOwner()
    {
        await CreateAsync(Run());
        await Runs.TryClaimRunAsync("node-a", T0, Lease, Ct);

        (await Runs.TryClaimRunAsync("node-b", T0 + Lease - TimeSpan.FromMilliseconds(1), Lease, Ct)).ShouldBeNull();
    }

    [StoreFact]
    public async Task TryClaimRun_AfterLeaseLapsed_HandsRunToAnotherNode()
    {
        var id = await CreateRunningAsync(events: 2);

        var takenOver = (await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(6), Lease, Ct)).ShouldNotBeNull();

        takenOver.Id.ShouldBe(id);
        takenOver.LeaseOwner.ShouldBe("node-b");
        takenOver.LastSequence.ShouldBe(2);
        takenOver.StartedAt.ShouldBe(T0);
        (await Runs.RenewLeasesAsync("node-a", [id], T0.AddMinutes(7), Ct)).Lost.ShouldBe([id]);
    }

    [StoreFact]
    public async Task TryClaimRun_PassesOverLiveLeases_AndTakesALapsedOneBeforePendingRuns()
    {
        var live = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            live.Add(await CreateAsync(Run(T0.AddMilliseconds(i))));
            await Runs.TryClaimRunAsync("node-a", T0.AddMinutes(10), Lease, Ct);
        }

        var lapsed = await CreateRunningAsync(createdAt: T0.AddSeconds(5));
        var pending = await CreateAsync(Run(T0.AddSeconds(1)));

        // At T0 + 10 min + 1 s the five leases taken at T0 + 10 min are live; the one taken at T0 has lapsed.
        var first = (await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(10).AddSeconds(1), Lease, Ct)).ShouldNotBeNull();
        var second = (await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(10).AddSeconds(1), Lease, Ct)).ShouldNotBeNull();

        first.Id.ShouldBe(lapsed);
        second.Id.ShouldBe(pending);
        (await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(10).AddSeconds(1), Lease, Ct)).ShouldBeNull();
        (await Runs.RenewLeasesAsync("node-a", live, T0.AddMinutes(11), Ct)).Lost.ShouldBeEmpty();
    }

    [StoreFact]
    public async Task TryClaimRun_TakesARunningRunThatGaveUpItsLease()
    {
        var id = await CreateRunningAsync(events: 1);
        await Runs.AppendEventAsync(Event(id, 2), new RunUpdate { ReleaseLease = true }, [], Ct);

        var claimed = (await Runs.TryClaimRunAsync("node-b", T0.AddSeconds(1), Lease, Ct)).ShouldNotBeNull();

        claimed.Id.ShouldBe(id);
        claimed.LeaseOwner.ShouldBe("node-b");
        claimed.LastSequence.ShouldBe(2);
    }

    [StoreFact]
    public async Task TryClaimRun_FromManyClaimersAtOnce_ClaimsEachRunOnce()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await CreateAsync(Run(T0.AddMilliseconds(i))));
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Runs.TryClaimRunAsync($"node-{i % 4}", T0, Lease, Ct)));

        var claimed = claims.Where(c => c is not null).Select(c => c!.Id).ToList();
        claimed.Count.ShouldBe(30);
        claimed.ShouldBeUnique();
        claimed.ShouldBe(ids, ignoreOrder: true);
    }

    [StoreFact]
    public async Task RenewLeases_ReturnsOnlyTheRunsThisNodeLost()
    {
        var kept = await CreateRunningAsync(createdAt: T0);
        var takenOver = await CreateRunningAsync(createdAt: T0.AddSeconds(1));
        var finished = await CreateFinishedAsync(T0.AddMinutes(1));
        var takeover = await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(6), Lease, Ct);
        takeover!.Id.ShouldBe(kept);
        (await Runs.RenewLeasesAsync("node-b", [kept], T0.AddMinutes(7), Ct)).Lost.ShouldBeEmpty();
        (await Runs.TryClaimRunAsync("node-c", T0.AddMinutes(6), Lease, Ct))!.Id.ShouldBe(takenOver);

        var lost = (await Runs.RenewLeasesAsync("node-a", [kept, takenOver, finished], T0.AddMinutes(8), Ct)).Lost;

        lost.ShouldBe([kept, takenOver, finished], ignoreOrder: true);
        (await Runs.RenewLeasesAsync("node-b", [kept], T0.AddMinutes(9), Ct)).Lost.ShouldBeEmpty();
        (await Runs.GetRunAsync(kept, Ct))!.LeaseExpiresAt.ShouldBe(T0.AddMinutes(9));
    }

    [StoreFact]
    public async Task EndLeases_LetsTheNextClaimTakeLeasedRunsAtOnce_WithTheNormalLease()
    {
        var finished = await CreateFinishedAsync(T0.AddSeconds(2));
        var leased = await CreateRunningAsync(events: 1, createdAt: T0);
        var lapsed = await CreateRunningAsync(createdAt: T0.AddSeconds(1));
        await Runs.RenewLeasesAsync("node-a", [lapsed], T0, Ct);
        var restart = T0.AddSeconds(10);

        var freed = await Runs.EndLeasesAsync(restart, Ct);
        var first = (await Runs.TryClaimRunAsync("node-b", restart, Lease, Ct)).ShouldNotBeNull();
        var second = (await Runs.TryClaimRunAsync("node-b", restart, Lease, Ct)).ShouldNotBeNull();

        freed.ShouldBe(1);
        new[] { first.Id, second.Id }.ShouldBe([lapsed, leased], ignoreOrder: true);
        var taken = first.Id == leased ? first : second;
        taken.LeaseOwner.ShouldBe("node-b");
        taken.LeaseExpiresAt.ShouldBe(restart + Lease);
        taken.StartedAt.ShouldBe(T0);
        taken.LastSequence.ShouldBe(1);
        (await Runs.TryClaimRunAsync("node-b", restart, Lease, Ct)).ShouldBeNull();
        (await Runs.GetRunAsync(finished, Ct))!.State.ShouldBe(RunState.Completed);
    }

    [StoreFact]
    public async Task RenewLeases_ReportsHeldRunsFlaggedToStop()
    {
        var flagged = await CreateRunningAsync(createdAt: T0);
        var other = await CreateRunningAsync(createdAt: T0.AddSeconds(1));
        (await StopAsync(flagged)).Outcome.ShouldBe(StopOutcome.StopRequested);

        var renewal = await Runs.RenewLeasesAsync("node-a", [flagged, other], T0.AddMinutes(1), Ct);

        renewal.Lost.ShouldBeEmpty();
        renewal.StopRequested.ShouldBe([flagged]);
        (await Runs.GetRunAsync(flagged, Ct))!.LeaseExpiresAt.ShouldBe(T0.AddMinutes(1));
    }

    [StoreFact]
    public async Task AppendEvent_FencedByALeaseTakenOver_ThrowsLeaseLostAndStoresNothing()
    {
        var id = await CreateRunningAsync(events: 1);
        (await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(6), Lease, Ct))!.Id.ShouldBe(id);

        var lost = await Should.ThrowAsync<LeaseLostException>(() =>
            Runs.AppendEventAsync(Event(id, 2), new RunUpdate { LeaseOwner = "node-a", CompletedTasks = 1 }, [Delivery(id)], Ct));
        await Runs.AppendEventAsync(Event(id, 2), new RunUpdate { LeaseOwner = "node-b", CompletedTasks = 1 }, [], Ct);

        lost.NodeId.ShouldBe("node-a");
        var run = (await Runs.GetRunAsync(id, Ct))!;
        run.LastSequence.ShouldBe(2);
        run.LeaseOwner.ShouldBe("node-b");
        (await Deliveries.GetDeliveriesAsync(id, Ct)).ShouldBeEmpty();
    }

    [StoreFact]
    public async Task AppendEvent_FencedByALapsedLeaseNobodyTook_StillStores()
    {
        var id = await CreateRunningAsync();

        await Runs.AppendEventAsync(Event(id, 1), new RunUpdate { LeaseOwner = "node-a" }, [], Ct);

        (await Runs.GetRunAsync(id, Ct))!.LastSequence.ShouldBe(1);
    }

    [StoreFact]
    public async Task AppendEvent_AppliesProjectionUpdateWithEvent()
    {
        var id = await CreateRunningAsync();
        var update = new RunUpdate
        {
            CurrentTask = "task_2",
            CompletedTasks = 1,
            Usage = new TokenUsage(100, 40, 10, 3),
            Result = "final",
            ResultJson = new() { ["answer"] = 42 },
        };

        await Runs.AppendEventAsync(Event(id, 1), update, [], Ct);
        await Runs.AppendEventAsync(Event(id, 2), new RunUpdate { State = RunState.Completed, CompletedAt = T0.AddMinutes(2), Error = "none", ReleaseLease = true }, [], Ct);

        var run = (await Runs.GetRunAsync(id, Ct)).ShouldNotBeNull();
        run.LastSequence.ShouldBe(2);
        run.State.ShouldBe(RunState.Completed);
        run.CurrentTask.ShouldBe("task_2");
        run.CompletedTasks.ShouldBe(1);
        run.Usage.ShouldBe(new TokenUsage(100, 40, 10, 3));
        run.Result.ShouldBe("final");
        run.ResultJson!["answer"]!.GetValue<int>().ShouldBe(42);
        run.Error.ShouldBe("none");
        run.CompletedAt.ShouldBe(T0.AddMinutes(2));
        run.LeaseOwner.ShouldBeNull();
        run.LeaseExpiresAt.ShouldBeNull();
    }

    [StoreFact]
    public async Task AppendEvents_StoresConsecutiveEventsWithTheirChangesAppliedInOrder()
    {
        var id = await CreateRunningAsync(events: 1);

        await Runs.AppendEventsAsync(
            [
                new EventAppend(Event(id, 2, RunEventTypes.TaskStarted), new RunUpdate { CurrentTask = "task_1", LeaseOwner = "node-a" }, []),
                new EventAppend(Event(id, 3, RunEventTypes.LlmCallStarted), null, [Delivery(id, kind: "step")]),
                new EventAppend(
                    Event(id, 4, RunEventTypes.TaskCompleted, Output("task_1", "first answer")),
                    new RunUpdate { CompletedTasks = 1, Usage = new TokenUsage(10, 5, 0, 1), LeaseOwner = "node-a" },
                    [Delivery(id, kind: "task")]),
                new EventAppend(Event(id, 5, RunEventTypes.TaskStarted), new RunUpdate { CurrentTask = "task_2" }, []),
            ],
            Ct);

        var run = (await Runs.GetRunAsync(id, Ct)).ShouldNotBeNull();
        run.LastSequence.ShouldBe(5);
        run.CurrentTask.ShouldBe("task_2");
        run.CompletedTasks.ShouldBe(1);
        run.Usage.ShouldBe(new TokenUsage(10, 5, 0, 1));
        run.LeaseOwner.ShouldBe("node-a");
        (await Runs.GetEventsAsync(id, 1, 100, Ct)).Select(e => e.Type).ShouldBe(
            [RunEventTypes.TaskStarted, RunEventTypes.LlmCallStarted, RunEventTypes.TaskCompleted, RunEventTypes.TaskStarted]);
        (await Runs.GetTaskResultsAsync(id, Ct)).Select(t => t.Raw).ShouldBe(["first answer"]);
        (await Deliveries.GetDeliveriesAsync(id, Ct)).Select(d => d.Kind).ShouldBe(["step", "task"]);
    }

    [StoreFact]
    public async Task AppendEvents_NotFollowingTheStoredSequence_StoreNothing()
    {
        var id = await CreateRunningAsync(events: 1);

        var late = await Should.ThrowAsync<EventSequenceException>(() => Runs.AppendEventsAsync(
            [new EventAppend(Event(id, 3), null, [Delivery(id)]), new EventAppend(Event(id, 4), new RunUpdate { State = RunState.Failed }, [])], Ct));
        var gap = await Should.ThrowAsync<EventSequenceException>(() => Runs.AppendEventsAsync(
            [new EventAppend(Event(id, 2), null, [Delivery(id)]), new EventAppend(Event(id, 4), new RunUpdate { State = RunState.Failed }, [])], Ct));

        late.Expected.ShouldBe(2);
        gap.Expected.ShouldBe(3);
        gap.Actual.ShouldBe(4);
        var run = (await Runs.GetRunAsync(id, Ct))!;
        run.LastSequence.ShouldBe(1);
        run.State.ShouldBe(RunState.Running);
        (await Runs.GetEventsAsync(id, 0, 100, Ct)).Select(e => e.Sequence).ShouldBe([1L]);
        (await Deliveries.GetDeliveriesAsync(id, Ct)).ShouldBeEmpty();
    }

    [StoreFact]
    public async Task AppendEvents_FencedByALeaseTakenOver_StoreNothing()
    {
        var id = await CreateRunningAsync(events: 1);
        (await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(6), Lease, Ct))!.Id.ShouldBe(id);

        await Should.ThrowAsync<LeaseLostException>(() => Runs.AppendEventsAsync(
            [
                new EventAppend(Event(id, 2), new RunUpdate { LeaseOwner = "node-a" }, []),
                new EventAppend(Event(id, 3, RunEventTypes.TaskCompleted, Output("task_1")), new RunUpdate { LeaseOwner = "node-a", CompletedTasks = 1 }, [Delivery(id)]),
            ],
            Ct));

        (await Runs.GetRunAsync(id, Ct))!.LastSequence.ShouldBe(1);
        (await Runs.GetTaskResultsAsync(id, Ct)).ShouldBeEmpty();
        (await Deliveries.GetDeliveriesAsync(id, Ct)).ShouldBeEmpty();
    }

    [StoreFact]
    public async Task AppendEvent_WithSequenceNotNext_ThrowsAndStoresNothing()
    {
        var id = await CreateRunningAsync(events: 1);

        var skipped = await Should.ThrowAsync<EventSequenceException>(() =>
            Runs.AppendEventAsync(Event(id, 3), new RunUpdate { State = RunState.Failed }, [Delivery(id)], Ct));
        await Should.ThrowAsync<EventSequenceException>(() => Runs.AppendEventAsync(Event(id, 1), null, [], Ct));

        skipped.Expected.ShouldBe(2);
        skipped.Actual.ShouldBe(3);
        var run = await Runs.GetRunAsync(id, Ct);
        run!.State.ShouldBe(RunState.Running);
        run.LastSequence.ShouldBe(1);
        (await Runs.GetEventsAsync(id, 0, 100, Ct)).Select(e => e.Sequence).ShouldBe([1L]);
        (await Deliveries.GetDeliveriesAsync(id, Ct)).ShouldBeEmpty();
    }

    [StoreFact]
    public async Task AppendEvent_ForUnknownRun_ThrowsRunNotFound() =>
        await Should.ThrowAsync<RunNotFoundException>(() => Runs.AppendEventAsync(Event(Guid.NewGuid(), 1), null, [], Ct));

    [StoreFact]
    public async Task AppendEvent_WhenAnyPartFails_CommitsNothing()
    {
        var id = await CreateRunningAsync();
        var duplicate = Delivery(id);

        await Should.ThrowAsync<Exception>(() => Runs.AppendEventAsync(
            Event(id, 1, RunEventTypes.TaskCompleted, Output("task_1")),
            new RunUpdate { CompletedTasks = 1 }, [duplicate, duplicate], Ct));

        (await Runs.GetRunAsync(id, Ct))!.CompletedTasks.ShouldBe(0);
        (await Runs.GetEventsAsync(id, 0, 10, Ct)).ShouldBeEmpty();
        (await Runs.GetTaskResultsAsync(id, Ct)).ShouldBeEmpty();
        (await Deliveries.GetDeliveriesAsync(id, Ct)).ShouldBeEmpty();
        await Runs.AppendEventAsync(Event(id, 1), null, [], Ct);
    }

    [StoreFact]
    public async Task AppendEvent_FromTwoWritersWithSameSequence_AcceptsOne()
    {
        var id = await CreateRunningAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await Runs.AppendEventAsync(Event(id, 1), null, [], Ct);
                return true;
            }
            catch (EventSequenceException)
            {
                return false;
            }
        }));

        outcomes.Count(accepted => accepted).ShouldBe(1);
        (await Runs.GetEventsAsync(id, 0, 10, Ct)).Count.ShouldBe(1);
    }

    [StoreFact]
    public async Task AppendEvent_ManyRunsAtOnce_KeepsEveryEventInOrder()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add(await CreateAsync(Run(T0.AddMilliseconds(i))));
        }

        await Task.WhenAll(ids.Select(async id =>
        {
            for (var sequence = 1; sequence <= 6; sequence++)
            {
                await Runs.AppendEventAsync(Event(id, sequence), new RunUpdate { CompletedTasks = sequence }, [Delivery(id, kind: "events")], Ct);
            }
        }));

        foreach (var id in ids)
        {
            (await Runs.GetEventsAsync(id, 0, 100, Ct)).Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, 6).Select(s => (long)s));
            (await Runs.GetRunAsync(id, Ct))!.CompletedTasks.ShouldBe(6);
            (await Deliveries.GetDeliveriesAsync(id, Ct)).Count.ShouldBe(6);
        }
    }

    [StoreFact]
    public async Task GetEvents_ReturnsEventsAfterSequenceUpToLimit()
    {
        var id = await CreateRunningAsync(events: 5);

        var page = await Runs.GetEventsAsync(id, 2, 2, Ct);

        page.Select(e => e.Sequence).ShouldBe([3L, 4L]);
        page[0].RunId.ShouldBe(id);
        page[0].Type.ShouldBe(RunEventTypes.AgentStep);
        page[0].Timestamp.ShouldBe(T0.AddSeconds(3));
        page[0].Data.ShouldBe(RunEventJson.Serialize(Event(id, 3).Data));
        (await Runs.GetEventsAsync(id, 5, 10, Ct)).ShouldBeEmpty();
        (await Runs.GetEventsAsync(Guid.NewGuid(), 0, 10, Ct)).ShouldBeEmpty();
    }

    [StoreFact]
    public async Task AppendEvent_WithTaskOutput_StoresTaskResultsInCompletionOrder()
    {
        var id = await CreateRunningAsync();

        await Runs.AppendEventAsync(Event(id, 1, RunEventTypes.TaskCompleted, Output("task_1", "first")), new RunUpdate { CompletedTasks = 1 }, [], Ct);
        await Runs.AppendEventAsync(Event(id, 2), null, [], Ct);
        await Runs.AppendEventAsync(Event(id, 3, RunEventTypes.TaskCompleted, Output("task_2", "second")), new RunUpdate { CompletedTasks = 2 }, [], Ct);

        var results = await Runs.GetTaskResultsAsync(id, Ct);
        results.Select(r => r.Raw).ShouldBe(["first", "second"]);
        (results[0] with { JsonDict = null }).ShouldBe(Output("task_1", "first") with { JsonDict = null });
        JsonNode.DeepEquals(results[0].JsonDict, Output("task_1", "first").JsonDict).ShouldBeTrue();
    }

    [StoreFact]
    public async Task RenewLeases_ForThousandsOfRuns_RenewsEveryHeldLease()
    {
        var held = await CreateRunningAsync();
        var unknown = Enumerable.Range(0, 1500).Select(_ => Guid.NewGuid()).ToList();

        var renewal = await Runs.RenewLeasesAsync("node-a", [held, .. unknown], T0.AddMinutes(9), Ct);

        renewal.Lost.ShouldBe(unknown, ignoreOrder: true);
        renewal.StopRequested.ShouldBeEmpty();
        (await Runs.GetRunAsync(held, Ct))!.LeaseExpiresAt.ShouldBe(T0.AddMinutes(9));
    }
}
