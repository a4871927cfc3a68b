using Muster.Core.Engine;

namespace Muster.Storage;

/// <summary>
/// The one rule by which an event changes its run: the sink keeps its view of the run with it, and the store's row update
/// is the difference it makes (<see cref="RunUpdate.Between"/>). Pure: the time it records is the event's.
/// </summary>
public static class RunProjection
{
    /// <summary>The run once <paramref name="runEvent"/> has happened.</summary>
    public static RunRecord Apply(RunRecord run, RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(runEvent);
        var next = run with { LastSequence = runEvent.Sequence };
        return runEvent.Data switch
        {
            // Work is counted from each start: the time the run waited for a node or a reviewer before it is not.
            CrewKickoffStarted => next with { WorkMark = runEvent.Timestamp },
            LlmCallCompleted call => Work(next, runEvent) with { Spent = run.Spent.Add(call.Usage) },
            TaskStarted started => Resolve(next, started.TaskName) with { CurrentTask = started.TaskName },
            TaskCompleted completed => Resolve(Work(next, runEvent), completed.TaskName) with
            {
                CompletedTasks = run.CompletedTasks + 1,
                Usage = run.Usage + completed.Usage,
            },
            // The output is not a result until a reviewer approves it; the run waits, held by no node.
            TaskAwaitingHuman awaiting => Release(Work(next, runEvent)) with { State = RunState.AwaitingHuman, PendingReview = awaiting.TaskOutput },
            CrewKickoffCompleted completed => Release(Work(next, runEvent)) with
            {
                State = RunState.Completed,
                Result = completed.Output,
                ResultJson = completed.ResultJson,
                Usage = completed.Usage,
                CompletedAt = runEvent.Timestamp,
            },
            CrewKickoffFailed failed => Release(Work(next, runEvent)) with
            {
                State = failed.Stopped ? RunState.Stopped : RunState.Failed,
                Error = failed.Error,
                Usage = failed.Usage,
                CompletedAt = runEvent.Timestamp,
            },
            _ => next,
        };
    }

    // The task awaiting review starts again (rejected) or completes (approved): the review and its answer are acted on.
    private static RunRecord Resolve(RunRecord run, string taskName) =>
        run.PendingReview?.Name == taskName ? run with { PendingReview = null, Review = null } : run;

    // Only while the run runs: a stop of a paused run ends it without counting the pause as work.
    private static RunRecord Work(RunRecord run, RunEvent runEvent) =>
        run is { State: RunState.Running, WorkMark: { } mark } && runEvent.Timestamp > mark
            ? run with { Worked = run.Worked + (runEvent.Timestamp - mark), WorkMark = runEvent.Timestamp }
            : run;

    private static RunRecord Release(RunRecord run) => run with { LeaseOwner = null, LeaseExpiresAt = null };
}
