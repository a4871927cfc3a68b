using Muster.Core.Engine;

namespace Muster.Storage;

/// <summary>
/// The one rule by which an event changes its run: the sink keeps its view of the run with it, and the store's row update
/// is the difference it makes (<see cref="RunUpdate.Between"/>). Pure: the time it records is the event's.
/// </summary>
public static class RunProjection
{
    /// <summary>The run once <paramref name="runEvent"/> has happened.</summary>
    /// <remarks>
    /// One copy of the run per event (this runs for every event of every run): each case sets all it changes in one
    /// <c>with</c>, rather than chaining helpers that each copy the whole record.
    /// </remarks>
    public static RunRecord Apply(RunRecord run, RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(runEvent);
        var sequence = runEvent.Sequence;
        var at = runEvent.Timestamp;
        var (worked, mark) = WorkUntil(run, at);
        return runEvent.Data switch
        {
            // Work is counted from each start: the time the run waited for a node or a reviewer before it is not.
            CrewKickoffStarted => run with { LastSequence = sequence, WorkMark = at },
            LlmCallCompleted call => run with { LastSequence = sequence, Worked = worked, WorkMark = mark, Spent = run.Spent.Add(call.Usage) },
            TaskStarted started => Resolves(run, started.TaskName)
                ? run with { LastSequence = sequence, CurrentTask = started.TaskName, PendingReview = null, Review = null }
                : run with { LastSequence = sequence, CurrentTask = started.TaskName },
            TaskCompleted completed => Resolves(run, completed.TaskName)
                ? run with
                {
                    LastSequence = sequence,
                    Worked = worked,
                    WorkMark = mark,
                    PendingReview = null,
                    Review = null,
                    CompletedTasks = run.CompletedTasks + 1,
                    Usage = run.Usage + completed.Usage,
                }
                : run with
                {
                    LastSequence = sequence,
                    Worked = worked,
                    WorkMark = mark,
                    CompletedTasks = run.CompletedTasks + 1,
                    Usage = run.Usage + completed.Usage,
                },
            // The output is not a result until a reviewer approves it; the run waits, held by no node.
            TaskAwaitingHuman awaiting => run with
            {
                LastSequence = sequence,
                Worked = worked,
                WorkMark = mark,
                LeaseOwner = null,
                LeaseExpiresAt = null,
                State = RunState.AwaitingHuman,
                PendingReview = awaiting.TaskOutput,
            },
            CrewKickoffCompleted completed => run with
            {
                LastSequence = sequence,
                Worked = worked,
                WorkMark = mark,
                LeaseOwner = null,
                LeaseExpiresAt = null,
                State = RunState.Completed,
                Result = completed.Output,
                ResultJson = completed.ResultJson,
                Usage = completed.Usage,
                CompletedAt = at,
            },
            CrewKickoffFailed failed => run with
            {
                LastSequence = sequence,
                Worked = worked,
                WorkMark = mark,
                LeaseOwner = null,
                LeaseExpiresAt = null,
                State = failed.Stopped ? RunState.Stopped : RunState.Failed,
                Error = failed.Error,
                Usage = failed.Usage,
                CompletedAt = at,
            },
            _ => run with { LastSequence = sequence },
        };
    }

    // The task awaiting review starts again (rejected) or completes (approved): the review and its answer are acted on.
    private static bool Resolves(RunRecord run, string taskName) => run.PendingReview?.Name == taskName;

    // The work counted up to an event at `at`, only while the run runs: a stop of a paused run ends it without counting the
    // pause as work.
    private static (TimeSpan Worked, DateTimeOffset? Mark) WorkUntil(RunRecord run, DateTimeOffset at) =>
        run is { State: RunState.Running, WorkMark: { } mark } && at > mark
            ? (run.Worked + (at - mark), at)
            : (run.Worked, run.WorkMark);
}
