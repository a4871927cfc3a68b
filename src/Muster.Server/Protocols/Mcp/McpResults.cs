using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Muster.Server.CrewRuns;
using Muster.Storage;

namespace Muster.Server.Protocols.Mcp;

/// <summary>Tool results: text content for every client, <c>structuredContent</c> for those that read it, <c>isError</c> for failures.</summary>
internal static class McpResults
{
    public static CallToolResult Text(string text, JsonObject? structured = null) => new()
    {
        Content = [new TextContentBlock { Text = text }],
        StructuredContent = structured is null ? null : JsonSerializer.SerializeToElement(structured, McpJsonUtilities.DefaultOptions),
    };

    public static CallToolResult Error(string message) => new() { Content = [new TextContentBlock { Text = message }], IsError = true };

    public static CallToolResult NotFound(Guid runId) => Error($"Run {runId} not found (or not this token's).");

    /// <summary>A finished run: its output (and <c>output_json</c> answer as structured content), or its error.</summary>
    public static CallToolResult Finished(RunRecord run) => run.State switch
    {
        RunState.Completed => Text(run.Result ?? "", run.ResultJson),
        RunState.Stopped => Error($"Run {run.Id} was stopped: {run.Error}"),
        _ => Error($"Run {run.Id} failed: {run.Error}"),
    };

    /// <summary>A run paused for review: which run and task, the output under review, and how to resume.</summary>
    public static CallToolResult Paused(RunRecord run)
    {
        var task = run.PendingReview?.Name ?? run.CurrentTask ?? "";
        var output = run.PendingReview?.Raw ?? "";
        return Text(
            $"Run {run.Id} paused for human review of task '{task}'. Output under review:\n{output}\n\n"
            + $"Resume it with the {McpCrewTools.ResumeRun} tool (run_id \"{run.Id}\", approve true, or approve false with feedback), "
            + $"or with POST /resume {{\"execution_id\": \"{run.Id}\", \"task_id\": \"{task}\", \"is_approve\": true, \"human_feedback\": \"\"}}.",
            new JsonObject
            {
                ["run_id"] = run.Id.ToString(),
                ["status"] = "awaiting_human",
                ["task_id"] = task,
                ["output"] = output,
                ["resume_tool"] = McpCrewTools.ResumeRun,
            });
    }

    /// <summary>What <c>get_run</c> answers: the run's state in words and as structured content.</summary>
    public static CallToolResult Status(RunRecord run)
    {
        var status = run.State switch
        {
            RunState.AwaitingHuman => "awaiting_human",
            RunState.Stopped => "stopped",
            _ => CrewRunRecordMapper.StatusName(run.State),
        };
        var structured = new JsonObject
        {
            ["run_id"] = run.Id.ToString(),
            ["crew"] = run.CrewName,
            ["status"] = status,
            ["current_task"] = run.CurrentTask,
            ["completed_tasks"] = run.CompletedTasks,
            ["total_tasks"] = run.TotalTasks,
            ["result"] = run.Result,
            ["error"] = run.Error,
            ["awaiting_review"] = run.PendingReview is { } review ? new JsonObject { ["task_id"] = review.Name, ["output"] = review.Raw } : null,
        };
        var text = status switch
        {
            "completed" => $"Run {run.Id} completed:\n{run.Result}",
            "failed" or "stopped" => $"Run {run.Id} {status}: {run.Error}",
            "awaiting_human" => $"Run {run.Id} awaits review of task '{run.PendingReview?.Name}':\n{run.PendingReview?.Raw}",
            _ => $"Run {run.Id} is {status} ({run.CompletedTasks} of {run.TotalTasks} tasks done).",
        };
        return Text(text, structured);
    }
}
