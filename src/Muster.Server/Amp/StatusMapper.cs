using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Amp;

/// <summary>A run as the AMP status endpoint shows it: the documented shape plus <c>state</c>, or the live service's (legacy) shape.</summary>
internal static class StatusMapper
{
    public static StatusResponse ToStatus(RunRecord run, IReadOnlyList<TaskOutput> tasks, DateTimeOffset now) => run.State switch
    {
        RunState.Completed => new StatusResponse
        {
            Status = "completed",
            State = "SUCCESS",
            Result = new StatusResult
            {
                Output = run.Result ?? string.Empty,
                Tasks = [.. tasks.Select(t => new StatusTaskResult { TaskId = t.Name, Output = t.Raw, Agent = t.Agent, ExecutionTime = t.ExecutionTimeSeconds })],
            },
            ExecutionTime = ExecutionTime(run, now),
            TokenUsage = run.Usage,
        },
        RunState.Failed or RunState.Stopped => new StatusResponse
        {
            Status = "error",
            // Not Celery's FAILURE: crewAI-tools stops polling only on state.lower() "success" or "failed", and Semantic
            // Kernel's enum takes FAILED too, so FAILED ends both clients' polls.
            State = "FAILED",
            Error = FailureReason(run),
            ExecutionTime = ExecutionTime(run, now),
            TokenUsage = run.Usage,
        },
        _ => new StatusResponse
        {
            // A queued run reports running with nothing completed, as AMP does.
            Status = "running",
            State = run.State == RunState.Pending ? "PENDING" : "RUNNING",
            CurrentTask = run.CurrentTask,
            Progress = new StatusProgress(run.CompletedTasks, run.TotalTasks > 0 ? run.TotalTasks : run.Crew.Tasks.Count),
            PendingHumanInput = run is { State: RunState.AwaitingHuman, PendingReview: { } review }
                ? new PendingHumanInput { TaskId = review.Name, Output = review.Raw }
                : null,
        },
    };

    /// <summary>
    /// The live service's shape: <c>state</c>, a string <c>result</c> and <c>last_step</c>. Failures say <c>FAILED</c>,
    /// which both Semantic Kernel (its enum) and crewAI-tools (<c>state.lower() == "failed"</c>) recognise, with the reason in
    /// <c>result</c> and <c>error</c>.
    /// </summary>
    public static LegacyStatusResponse ToLegacyStatus(RunRecord run, IReadOnlyList<TaskOutput> tasks) => new()
    {
        State = run.State switch
        {
            RunState.Pending => "PENDING",
            RunState.Completed => "SUCCESS",
            RunState.Failed or RunState.Stopped => "FAILED",
            _ => "RUNNING",
        },
        Status = run.State switch
        {
            RunState.Completed => "completed",
            RunState.Failed or RunState.Stopped => "error",
            _ => "running",
        },
        // Semantic Kernel builds its failure message from result, so a failed run's reason is there as well as in error.
        Result = run.State switch
        {
            RunState.Completed => run.Result ?? string.Empty,
            RunState.Failed or RunState.Stopped => FailureReason(run),
            _ => null,
        },
        Error = run.State is RunState.Failed or RunState.Stopped ? FailureReason(run) : null,
        LastStep = tasks.Count == 0
            ? null
            : new JsonObject { ["task_id"] = tasks[^1].Name, ["agent"] = tasks[^1].Agent, ["output"] = tasks[^1].Raw },
    };

    private static string FailureReason(RunRecord run) => run.Error ?? "The run failed.";

    private static double ExecutionTime(RunRecord run, DateTimeOffset now) =>
        Math.Round(Math.Max(0, ((run.CompletedAt ?? now) - (run.StartedAt ?? run.CreatedAt)).TotalSeconds), 3);
}
