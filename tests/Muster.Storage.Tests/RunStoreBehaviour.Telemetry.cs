using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    private IRunTelemetryStore Telemetry => (IRunTelemetryStore)Runs;

    [StoreFact]
    public async Task CreateRun_KeepsItsTraceParent_ForEveryExecutionAndTheDeliveries()
    {
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var traced = await CreateAsync(Run(id: Guid.NewGuid()) with { TraceParent = traceParent });
        var untraced = await CreateAsync(Run(id: Guid.NewGuid()));

        (await Runs.GetRunAsync(traced, Ct))!.TraceParent.ShouldBe(traceParent);
        (await Runs.GetRunAsync(untraced, Ct))!.TraceParent.ShouldBeNull();
        (await Telemetry.GetTraceParentAsync(traced, Ct)).ShouldBe(traceParent);
        (await Telemetry.GetTraceParentAsync(untraced, Ct)).ShouldBeNull();
        (await Telemetry.GetTraceParentAsync(Guid.NewGuid(), Ct)).ShouldBeNull();
    }

    [StoreFact]
    public async Task AnExecutionsSpan_WrittenWithAnAppend_IsWhatTheNextClaimReads()
    {
        const string firstSpan = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        const string secondSpan = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01";
        var id = await CreateRunningAsync(events: 1);
        (await Runs.GetRunAsync(id, Ct))!.ExecutionSpan.ShouldBeNull();

        await Runs.AppendEventAsync(Event(id, 2), new RunUpdate { ExecutionSpan = firstSpan }, [], Ct);
        await Runs.AppendEventAsync(Event(id, 3), new RunUpdate(), [], Ct);
        var takenOver = (await Runs.TryClaimRunAsync("node-b", T0.AddMinutes(6), Lease, Ct)).ShouldNotBeNull();
        await Runs.AppendEventsAsync([new EventAppend(Event(id, 4), new RunUpdate { ExecutionSpan = secondSpan }, []), new EventAppend(Event(id, 5), null, [])], Ct);

        takenOver.Id.ShouldBe(id);
        takenOver.ExecutionSpan.ShouldBe(firstSpan);
        (await Runs.GetRunAsync(id, Ct))!.ExecutionSpan.ShouldBe(secondSpan);
    }

    [StoreFact]
    public async Task CountWaitingRuns_CountsPendingRunsAndRunsAwaitingAReviewer()
    {
        var before = await Telemetry.CountWaitingRunsAsync(Ct);
        await CreateAwaitingHumanAsync();
        await CreateRunningAsync();
        var paused = await Telemetry.CountWaitingRunsAsync(Ct);
        await CreateAsync(Run(id: Guid.NewGuid()));
        await CreateAsync(Run(id: Guid.NewGuid()));
        var after = await Telemetry.CountWaitingRunsAsync(Ct);

        (paused.AwaitingHuman - before.AwaitingHuman).ShouldBe(1);
        (paused.Pending - before.Pending).ShouldBe(0);
        (after.Pending - paused.Pending).ShouldBe(2);
        after.AwaitingHuman.ShouldBe(paused.AwaitingHuman);
    }
}
