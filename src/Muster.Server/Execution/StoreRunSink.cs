using System.Text.Json.Nodes;
using Muster.Core.Engine;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Execution;

/// <summary>
/// Records one execution's events: each event, the change it makes to the run's projection and the webhooks it
/// causes commit together, and only then is the event announced on the bus. Every write is fenced by this node's
/// lease: once another node has taken the run over, a write throws <see cref="LeaseLostException"/> instead.
/// </summary>
internal sealed class StoreRunSink(
    IRunStore store,
    IDeliveryPlanner planner,
    IRunEventBus bus,
    string nodeId,
    RunRecord run,
    int completedTasks,
    TimeProvider time) : IRunSink
{
    private RunRecord _run = run;
    private int _completedTasks = completedTasks;
    private bool _started;

    /// <summary>The run as this execution last left it (the projection kept in step with the store).</summary>
    public RunRecord Run => _run;

    /// <summary>The sequence the next server-appended event must carry.</summary>
    public long NextSequence => _run.LastSequence + 1;

    public async ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        var update = Project(runEvent) with { LeaseOwner = nodeId };
        var deliveries = planner.Plan(_run, runEvent);

        // The event must be recorded even when the run is being cancelled: the engine reports what already happened.
        await store.AppendEventAsync(runEvent, update, deliveries, CancellationToken.None);
        _run = Apply(_run, runEvent, update);
        await bus.PublishAsync(runEvent, cancellationToken);
    }

    private RunUpdate Project(RunEvent runEvent)
    {
        var now = time.GetUtcNow();
        var update = new RunUpdate();
        if (!_started)
        {
            _started = true;
            // A start time in the future comes from the start-up sweep's shifted clock (RunScheduler): correct it.
            update = update with { State = RunState.Running, StartedAt = _run.StartedAt is null || _run.StartedAt > now ? now : null };
        }

        var taskName = runEvent.Data["task_name"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? runEvent.Data["task_name"]!.GetValue<string>()
            : null;
        var resolvesReview = _run.PendingReview is not null && taskName == _run.PendingReview.Name;

        switch (runEvent.Type)
        {
            case RunEventTypes.TaskStarted:
                return update with { CurrentTask = taskName, ClearReview = resolvesReview };

            case RunEventTypes.TaskCompleted:
                _completedTasks++;
                return update with
                {
                    CompletedTasks = _completedTasks,
                    Usage = _run.Usage + (runEvent.TaskOutput?.Usage ?? TokenUsage.Zero),
                    ClearReview = resolvesReview,
                };

            case RunEventTypes.TaskAwaitingHuman:
                return update with { State = RunState.AwaitingHuman, PendingReview = runEvent.TaskOutput, ReleaseLease = true };

            case RunEventTypes.CrewKickoffCompleted:
                return update with
                {
                    State = RunState.Completed,
                    Result = runEvent.Data["output"]?.ToString() ?? string.Empty,
                    ResultJson = runEvent.Data["result_json"] as JsonObject,
                    Usage = UsageJson.FromJson(runEvent.Data["token_usage"]) ?? _run.Usage,
                    CompletedAt = now,
                    ReleaseLease = true,
                };

            case RunEventTypes.CrewKickoffFailed:
                var stopped = runEvent.Data["stopped"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
                return update with
                {
                    State = stopped ? RunState.Stopped : RunState.Failed,
                    Error = runEvent.Data["error"]?.ToString() ?? "The run failed.",
                    Usage = UsageJson.FromJson(runEvent.Data["token_usage"]) ?? _run.Usage,
                    CompletedAt = now,
                    ReleaseLease = true,
                };

            default:
                return update;
        }
    }

    private static RunRecord Apply(RunRecord run, RunEvent runEvent, RunUpdate update) => run with
    {
        LastSequence = runEvent.Sequence,
        State = update.State ?? run.State,
        CurrentTask = update.CurrentTask ?? run.CurrentTask,
        CompletedTasks = update.CompletedTasks ?? run.CompletedTasks,
        Result = update.Result ?? run.Result,
        ResultJson = update.ResultJson ?? run.ResultJson,
        Error = update.Error ?? run.Error,
        Usage = update.Usage ?? run.Usage,
        StartedAt = update.StartedAt ?? run.StartedAt,
        CompletedAt = update.CompletedAt ?? run.CompletedAt,
        PendingReview = update.ClearReview ? null : update.PendingReview ?? run.PendingReview,
        Review = update.ClearReview ? null : run.Review,
    };
}
