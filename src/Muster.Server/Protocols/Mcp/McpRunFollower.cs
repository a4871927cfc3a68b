using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Muster.Core.Engine;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Protocols.Mcp;

/// <summary>
/// Follows a run for one <c>tools/call</c>: a progress notification per finished task when the client gave a progress
/// token, the result when the run ends, and at a pause for review either a question to the client (when it supports
/// elicitation and holds a session) or a result that says how to resume. When the token is revoked meanwhile, the call
/// answers a JSON-RPC error (the official clients reject the call with it, where a stream that just closed would leave them
/// waiting for their timeout); the run goes on.
/// </summary>
internal sealed class McpRunFollower(RequestContext<CallToolRequestParams> context, ProtocolRuns runs, MusterPrincipal principal, Guid runId)
{
    public async Task<CallToolResult> FollowAsync(long afterSequence, CancellationToken cancellationToken)
    {
        try
        {
            return await FollowUntilAnswerAsync(afterSequence, cancellationToken);
        }
        catch (TokenRevokedException revoked)
        {
            throw new McpProtocolException(revoked.Message, McpErrorCode.InvalidRequest);
        }
    }

    private async Task<CallToolResult> FollowUntilAnswerAsync(long afterSequence, CancellationToken cancellationToken)
    {
        using var tracked = context.Services!.GetRequiredService<McpCancellations>().Track(principal, context.JsonRpcRequest.Id, runId);
        var total = (await runs.GetAsync(principal, runId, cancellationToken))?.Run.TotalTasks ?? 0;
        var completed = 0;
        var last = afterSequence;
        while (true)
        {
            ProtocolEvent? end = null;
            await foreach (var runEvent in runs.WatchAsync(principal, runId, last, cancellationToken))
            {
                last = runEvent.Sequence;
                if (runEvent.Type == RunEventTypes.TaskCompleted)
                {
                    completed++;
                    await NotifyProgressAsync(completed, total, $"Task '{runEvent.Text("task_name")}' completed", cancellationToken);
                }

                if (runEvent.IsTerminal || runEvent.IsPause)
                {
                    end = runEvent;
                }
            }

            var view = await runs.GetAsync(principal, runId, cancellationToken);
            if (view is null)
            {
                return McpResults.NotFound(runId);
            }

            if (end is null || end.IsTerminal || view.Run.State != RunState.AwaitingHuman)
            {
                return view.Run.State.IsFinished() ? McpResults.Finished(view.Run) : McpResults.Status(view.Run);
            }

            if (!CanElicit() || await AskReviewerUnlessRevokedAsync(view.Run, cancellationToken) is not { } answer)
            {
                return McpResults.Paused(view.Run);
            }

            if (await runs.ResumeAsync(principal, runId, answer.Approve, answer.Feedback, cancellationToken) != ResumeOutcome.Resumed)
            {
                // Someone else answered (or stopped the run) meanwhile: follow on from here all the same.
                continue;
            }
        }
    }

    private bool CanElicit() => context.Server.SessionId is not null && context.Server.ClientCapabilities?.Elicitation is not null;

    /// <summary>The reviewer's answer would come with the revoked token, which is refused: the question ends with the revocation.</summary>
    private async Task<(bool Approve, string Feedback)?> AskReviewerUnlessRevokedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var revoked = runs.WhenRevoked(principal);
        using var asking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, revoked);
        return await ProtocolRuns.UnlessRevokedAsync(new ValueTask<(bool, string)?>(AskReviewerAsync(run, asking.Token)), revoked, cancellationToken);
    }

    private async Task<(bool Approve, string Feedback)?> AskReviewerAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var review = run.PendingReview!;
        var result = await context.Server.ElicitAsync(
            new ElicitRequestParams
            {
                Message = $"Review the output of task '{review.Name}' (run {run.Id}):\n{review.Raw}",
                RequestedSchema = new ElicitRequestParams.RequestSchema
                {
                    Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                    {
                        ["approve"] = new ElicitRequestParams.BooleanSchema { Title = "Approve", Description = "Accept the output as it is." },
                        ["feedback"] = new ElicitRequestParams.StringSchema { Title = "Feedback", Description = "What to change, when not approving." },
                    },
                    Required = ["approve"],
                },
            },
            cancellationToken);
        if (!result.IsAccepted || result.Content is not { } content)
        {
            return null;
        }

        var approve = content.TryGetValue("approve", out var a) && a.ValueKind == JsonValueKind.True;
        var feedback = content.TryGetValue("feedback", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "";
        return (approve, feedback);
    }

    private async Task NotifyProgressAsync(int progress, int total, string message, CancellationToken cancellationToken)
    {
        if (context.Params?.ProgressToken is { } token)
        {
            await context.Server.NotifyProgressAsync(
                token, new ProgressNotificationValue { Progress = progress, Total = total, Message = message }, cancellationToken: cancellationToken);
        }
    }
}
