using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    private static readonly HumanReview Approval = new("task_1", "Looks good", Approved: true);

    private Task<StopResult> StopAsync(Guid id) => Runs.StopAsync(
        id,
        run => new RunEvent
        {
            RunId = run.Id,
            Sequence = run.LastSequence + 1,
            Timestamp = T0.AddMinutes(10),
            Data = new CrewKickoffFailed("Stopped by org at 12:10", Stopped: true, run.Usage, 600),
        },
        run => [Delivery(run.Id, kind: "crew")], Ct);

    [StoreFact]
    public async Task GetRun_Twice_SharesOneCrew_TheStoredOneFilledWithItsInputs()
    {
        var run = Run();
        var id = await CreateAsync(run);

        var first = (await Runs.GetRunAsync(id, Ct)).ShouldNotBeNull();
        var second = (await Runs.GetRunAsync(id, Ct)).ShouldNotBeNull();

        second.Crew.ShouldBeSameAs(first.Crew);
        first.Crew.Agents[0].Goal.ShouldBe("Write owls");
        Sql.StoreJson.Write(first.Crew).ShouldBe(Sql.StoreJson.Write(Core.Crews.CrewInterpolator.Interpolate(run.Crew, run.Inputs)));
    }

    [StoreFact]
    public async Task CreateRun_KeepsTheProtocolThatStartedIt_AndRunsOfAmpHaveNone()
    {
        var mcp = await CreateAsync(Run(id: Guid.NewGuid()) with { Protocol = "mcp" });
        var amp = await CreateAsync(Run(id: Guid.NewGuid()));

        (await Runs.GetRunAsync(mcp, Ct))!.Protocol.ShouldBe("mcp");
        (await Runs.GetRunAsync(amp, Ct))!.Protocol.ShouldBeNull();
        (await Runs.ListRunsAsync(new RunQuery { Limit = 10 }, Ct)).Runs.Single(r => r.Id == mcp).Protocol.ShouldBe("mcp");
    }

    [StoreFact]
    public async Task Resume_AwaitingRun_StoresReviewAndMakesItRunnable()
    {
        var id = await CreateAwaitingHumanAsync();
        var paused = await Runs.GetRunAsync(id, Ct);
        paused!.State.ShouldBe(RunState.AwaitingHuman);
        paused.PendingReview!.Name.ShouldBe("task_1");
        var webhooks = new WebhookSettings { CrewWebhookUrl = "http://127.0.0.1:9/crew" };

        (await Runs.ResumeAsync(id, Approval, webhooks, Ct)).ShouldBe(ResumeOutcome.Resumed);

        var resumed = (await Runs.GetRunAsync(id, Ct)).ShouldNotBeNull();
        resumed.State.ShouldBe(RunState.Pending);
        resumed.Review.ShouldBe(Approval);
        resumed.PendingReview!.Name.ShouldBe("task_1");
        resumed.Webhooks.ShouldBe(webhooks);
        (await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(1), Lease, Ct))!.Id.ShouldBe(id);
    }

    [StoreFact]
    public async Task Resume_WithoutNewWebhooks_KeepsTheRunsWebhooks()
    {
        var id = await CreateAwaitingHumanAsync();

        await Runs.ResumeAsync(id, Approval, null, Ct);

        (await Runs.GetRunAsync(id, Ct))!.Webhooks.TaskWebhookUrl.ShouldBe("http://127.0.0.1:9/task");
    }

    [StoreFact]
    public async Task Resume_WhenNotAwaitingThatTask_ChangesNothing()
    {
        var paused = await CreateAwaitingHumanAsync();
        var pending = await CreateAsync(Run());

        (await Runs.ResumeAsync(paused, Approval with { TaskName = "task_2" }, null, Ct)).ShouldBe(ResumeOutcome.NotAwaitingHuman);
        (await Runs.ResumeAsync(pending, Approval, null, Ct)).ShouldBe(ResumeOutcome.NotAwaitingHuman);
        (await Runs.ResumeAsync(Guid.NewGuid(), Approval, null, Ct)).ShouldBe(ResumeOutcome.NotFound);
        (await Runs.GetRunAsync(paused, Ct))!.Review.ShouldBeNull();
    }

    [StoreFact]
    public async Task Resume_TwiceAtOnce_ResumesOnce()
    {
        var id = await CreateAwaitingHumanAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Runs.ResumeAsync(id, Approval, null, Ct)));

        outcomes.Count(o => o == ResumeOutcome.Resumed).ShouldBe(1);
    }

    [StoreFact]
    public async Task AppendEvent_WithClearReview_ClearsPendingReviewAndAnswer()
    {
        var id = await CreateAwaitingHumanAsync();
        await Runs.ResumeAsync(id, Approval, null, Ct);
        await Runs.TryClaimRunAsync("node-a", T0.AddMinutes(1), Lease, Ct);

        await Runs.AppendEventAsync(Event(id, 2, RunEventTypes.TaskCompleted, Output("task_1")), new RunUpdate { ClearReview = true, CompletedTasks = 1 }, [], Ct);

        var run = await Runs.GetRunAsync(id, Ct);
        run!.PendingReview.ShouldBeNull();
        run.Review.ShouldBeNull();
        run.CompletedTasks.ShouldBe(1);
    }

    [StoreFact]
    public async Task Stop_PendingOrPausedRun_StopsAtOnceWithEventAndDeliveries()
    {
        var paused = await CreateAwaitingHumanAsync();
        var pending = await CreateAsync(Run());

        (await StopAsync(pending)).ShouldBe(new StopResult(StopOutcome.Stopped, RunState.Stopped));
        (await StopAsync(paused)).ShouldBe(new StopResult(StopOutcome.Stopped, RunState.Stopped));

        var stopped = (await Runs.GetRunAsync(paused, Ct)).ShouldNotBeNull();
        stopped.State.ShouldBe(RunState.Stopped);
        stopped.Error.ShouldBe("Stopped by org at 12:10");
        stopped.CompletedAt.ShouldBe(T0.AddMinutes(10));
        stopped.LastSequence.ShouldBe(2);
        (await Runs.GetEventsAsync(pending, 0, 10, Ct)).Single().Type.ShouldBe(RunEventTypes.CrewKickoffFailed);
        (await Deliveries.GetDeliveriesAsync(pending, Ct)).Single().Kind.ShouldBe("crew");
        (await Runs.TryClaimRunAsync("node-a", T0.AddHours(1), Lease, Ct)).ShouldBeNull();
    }

    [StoreFact]
    public async Task Stop_ExecutingRun_FlagsItForItsNode()
    {
        var id = await CreateRunningAsync();

        (await StopAsync(id)).ShouldBe(new StopResult(StopOutcome.StopRequested, RunState.Running));

        var run = await Runs.GetRunAsync(id, Ct);
        run!.StopRequested.ShouldBeTrue();
        run.State.ShouldBe(RunState.Running);
        (await Runs.GetEventsAsync(id, 0, 10, Ct)).ShouldBeEmpty();
    }

    [StoreFact]
    public async Task Stop_FinishedOrUnknownRun_ReportsWhy()
    {
        var failed = await CreateFinishedAsync(T0.AddMinutes(1), RunState.Failed);

        (await StopAsync(failed)).ShouldBe(new StopResult(StopOutcome.AlreadyFinished, RunState.Failed));
        (await StopAsync(Guid.NewGuid())).Outcome.ShouldBe(StopOutcome.NotFound);
    }

    [StoreFact]
    public async Task DeleteRun_Finished_RemovesRunWithEverythingItOwns()
    {
        var id = await CreateFinishedAsync(T0.AddMinutes(1));
        var delivery = (await Deliveries.GetDeliveriesAsync(id, Ct)).Single();
        await Deliveries.RecordAttemptAsync(delivery.Id, new DeliveryAttempt(T0, 500, "boom"), DeliveryState.Pending, T0.AddMinutes(1), Ct);

        (await Runs.DeleteRunAsync(id, Ct)).ShouldBeTrue();

        (await Runs.GetRunAsync(id, Ct)).ShouldBeNull();
        (await Runs.GetEventsAsync(id, 0, 10, Ct)).ShouldBeEmpty();
        (await Runs.GetTaskResultsAsync(id, Ct)).ShouldBeEmpty();
        (await Deliveries.GetDeliveriesAsync(id, Ct)).ShouldBeEmpty();
        (await Runs.DeleteRunAsync(id, Ct)).ShouldBeFalse();
    }

    [StoreFact]
    public async Task DeleteRun_NotFinished_KeepsIt()
    {
        var pending = await CreateAsync(Run());
        var running = await CreateRunningAsync(createdAt: T0.AddSeconds(-1));

        (await Runs.DeleteRunAsync(pending, Ct)).ShouldBeFalse();
        (await Runs.DeleteRunAsync(running, Ct)).ShouldBeFalse();
        (await Runs.GetRunAsync(pending, Ct)).ShouldNotBeNull();
    }

    [StoreFact]
    public async Task PurgeFinishedRuns_DeletesOnlyRunsFinishedBeforeTheCutoff()
    {
        var old = await CreateFinishedAsync(T0.AddDays(1));
        var recent = await CreateFinishedAsync(T0.AddDays(5));
        var pending = await CreateAsync(Run(T0.AddSeconds(1)));

        (await Runs.PurgeFinishedRunsAsync(T0.AddDays(3), Ct)).ShouldBe(1);

        (await Runs.GetRunAsync(old, Ct)).ShouldBeNull();
        (await Runs.GetRunAsync(recent, Ct)).ShouldNotBeNull();
        (await Runs.GetRunAsync(pending, Ct)).ShouldNotBeNull();
    }
}
