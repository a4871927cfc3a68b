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
            TaskStarted started => Resolve(next, started.TaskName) with { CurrentTask = started.TaskName },
            TaskCompleted completed => Resolve(next, completed.TaskName) with
            {
                CompletedTasks = run.CompletedTasks + 1,
                Usage = run.Usage + completed.Usage,
            },
            // The output is not a result until a reviewer approves it; the run waits, held by no node.
            TaskAwaitingHuman awaiting => Release(next) with { State = RunState.AwaitingHuman, PendingReview = awaiting.TaskOutput },
            CrewKickoffCompleted completed => Release(next) with
            {
                State = RunState.Completed,
                Result = completed.Output,
                ResultJson = completed.ResultJson,
                Usage = completed.Usage,
                CompletedAt = runEvent.Timestamp,
            },
            CrewKickoffFailed failed => Release(next) with
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

    private static RunRecord Release(RunRecord run) => run with { LeaseOwner = null, LeaseExpiresAt = null };
}
