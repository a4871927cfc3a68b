using System.Text.Json.Nodes;
using Muster.Core.Engine;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Protocols.AgUi;

/// <summary>
/// One AG-UI response over a run: RUN_STARTED, then steps, text messages and tool calls as the run's events commit, a state
/// snapshot after each task, and RUN_FINISHED (success, interrupt for a review, cancelled for a stop) or RUN_ERROR (also
/// when the token is revoked meanwhile: <see cref="TokenRevokedException"/>, which the caller answers).
/// </summary>
internal sealed class AgUiRunStream(AgUiEvents events, ProtocolRuns runs, MusterPrincipal principal, Guid threadId, string runId)
{
    private readonly Dictionary<string, Queue<string>> _toolCalls = new(StringComparer.Ordinal);

    public async Task StreamAsync(long after, CancellationToken cancellationToken)
    {
        await events.SendAsync("RUN_STARTED", new JsonObject { ["threadId"] = threadId.ToString(), ["runId"] = runId }, cancellationToken);
        var view = await runs.GetAsync(principal, threadId, cancellationToken);
        if (view is null)
        {
            await events.ErrorAsync("THREAD_NOT_FOUND", $"Thread {threadId} not found.", cancellationToken);
            return;
        }

        await SnapshotAsync(view.Run, cancellationToken);
        if (!view.Run.State.IsFinished() && view.Run.State != RunState.AwaitingHuman)
        {
            await foreach (var runEvent in runs.WatchAsync(principal, threadId, after, cancellationToken))
            {
                await TranslateAsync(runEvent, cancellationToken);
            }

            view = await runs.GetAsync(principal, threadId, cancellationToken);
            if (view is null)
            {
                await events.ErrorAsync("THREAD_NOT_FOUND", $"Thread {threadId} was deleted.", cancellationToken);
                return;
            }
        }

        await FinishAsync(view.Run, cancellationToken);
    }

    private async Task TranslateAsync(ProtocolEvent runEvent, CancellationToken cancellationToken)
    {
        var task = runEvent.Text("task_name") ?? "";
        switch (runEvent.Type)
        {
            case RunEventTypes.TaskStarted:
                await events.StepStartedAsync(task, cancellationToken);
                break;
            case RunEventTypes.TaskCompleted:
                await events.StepStartedAsync(task, cancellationToken);
                await events.TextMessageAsync($"{threadId}-{runEvent.Sequence}", runEvent.Text("output") ?? "", cancellationToken);
                await events.StepFinishedAsync(task, cancellationToken);
                if (await runs.GetAsync(principal, threadId, cancellationToken) is { } view)
                {
                    await SnapshotAsync(view.Run, cancellationToken);
                }

                break;
            case RunEventTypes.TaskAwaitingHuman:
                await events.StepStartedAsync(task, cancellationToken);
                await events.TextMessageAsync($"{threadId}-{runEvent.Sequence}", runEvent.Text("output") ?? "", cancellationToken);
                await events.StepFinishedAsync(task, cancellationToken);
                break;
            case RunEventTypes.ToolUsageStarted:
                var callId = $"{threadId}-{runEvent.Sequence}";
                var tool = runEvent.Text("tool_name") ?? "tool";
                Enqueue(tool, callId);
                await events.SendAsync("TOOL_CALL_START", new JsonObject { ["toolCallId"] = callId, ["toolCallName"] = tool }, cancellationToken);
                await events.SendAsync("TOOL_CALL_ARGS", new JsonObject { ["toolCallId"] = callId, ["delta"] = runEvent.Data["tool_args"]?.ToJsonString() ?? "{}" }, cancellationToken);
                await events.SendAsync("TOOL_CALL_END", new JsonObject { ["toolCallId"] = callId }, cancellationToken);
                break;
            case RunEventTypes.ToolUsageFinished or RunEventTypes.ToolUsageError:
                if (Dequeue(runEvent.Text("tool_name") ?? "tool") is { } finished)
                {
                    await events.SendAsync("TOOL_CALL_RESULT", new JsonObject
                    {
                        ["messageId"] = $"{threadId}-{runEvent.Sequence}",
                        ["toolCallId"] = finished,
                        ["content"] = runEvent.Text("output") ?? runEvent.Text("error") ?? "",
                        ["role"] = "tool",
                    }, cancellationToken);
                }

                break;
        }
    }

    private async Task FinishAsync(RunRecord run, CancellationToken cancellationToken)
    {
        await events.CloseStepsAsync(cancellationToken);
        await SnapshotAsync(run, cancellationToken);
        var finished = new JsonObject { ["threadId"] = threadId.ToString(), ["runId"] = runId };
        switch (run.State)
        {
            case RunState.Completed:
                finished["result"] = run.ResultJson?.DeepClone() ?? JsonValue.Create(run.Result ?? "");
                finished["outcome"] = new JsonObject { ["type"] = "success" };
                break;
            case RunState.AwaitingHuman when run.PendingReview is { } review:
                finished["outcome"] = new JsonObject
                {
                    ["type"] = "interrupt",
                    ["interrupts"] = new JsonArray(new JsonObject
                    {
                        ["id"] = $"{threadId}:{review.Name}",
                        ["reason"] = "human_review",
                        ["message"] = $"Review the output of task '{review.Name}': approve it, or send feedback to run the task again.",
                        ["responseSchema"] = new JsonObject
                        {
                            ["type"] = "object",
                            ["properties"] = new JsonObject
                            {
                                ["approve"] = new JsonObject { ["type"] = "boolean" },
                                ["feedback"] = new JsonObject { ["type"] = "string" },
                            },
                            ["required"] = new JsonArray("approve"),
                        },
                        ["metadata"] = new JsonObject { ["task_id"] = review.Name, ["output"] = review.Raw },
                    }),
                };
                break;
            case RunState.Stopped:
                finished["outcome"] = new JsonObject { ["type"] = "cancelled" };
                break;
            case RunState.Failed:
                await events.SendAsync("RUN_ERROR", new JsonObject { ["message"] = run.Error ?? "The run failed.", ["code"] = "RUN_FAILED" }, cancellationToken);
                return;
            default:
                // The run goes on (the server is stopping): end this stream; a request on the thread picks it up again.
                return;
        }

        await events.SendAsync("RUN_FINISHED", finished, cancellationToken);
    }

    private Task SnapshotAsync(RunRecord run, CancellationToken cancellationToken) =>
        events.SendAsync("STATE_SNAPSHOT", new JsonObject
        {
            ["snapshot"] = new JsonObject
            {
                ["status"] = run.State switch
                {
                    RunState.AwaitingHuman => "awaiting_human",
                    RunState.Stopped => "stopped",
                    _ => CrewRuns.CrewRunRecordMapper.StatusName(run.State),
                },
                ["current_task"] = run.CurrentTask,
                ["completed_tasks"] = run.CompletedTasks,
                ["total_tasks"] = run.TotalTasks,
                ["token_usage"] = new JsonObject
                {
                    ["total_tokens"] = run.Usage.TotalTokens,
                    ["prompt_tokens"] = run.Usage.PromptTokens,
                    ["completion_tokens"] = run.Usage.CompletionTokens,
                },
            },
        }, cancellationToken);

    private void Enqueue(string tool, string callId)
    {
        if (!_toolCalls.TryGetValue(tool, out var queue))
        {
            _toolCalls[tool] = queue = new Queue<string>();
        }

        queue.Enqueue(callId);
    }

    private string? Dequeue(string tool) => _toolCalls.TryGetValue(tool, out var queue) && queue.TryDequeue(out var callId) ? callId : null;
}
