using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Core.Engine;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Amp;

/// <summary><c>POST /resume</c>: a reviewer approves a paused task's output, or sends it back with feedback.</summary>
public static class ResumeEndpoints
{
    private const string NotPaused = "Execution is not in pending human input state";

    /// <summary>Pass to <c>MapMusterAmp</c> so that /resume answers at the root and under <c>/crews/{crew}</c>.</summary>
    public static void MapResume(RouteGroupBuilder group, string routePrefix)
    {
        group.MapPost("/resume", Resume)
            .WithName(CrewRoute.OperationId(routePrefix, "resumeKickoff"))
            .WithSummary("Resume a run paused for human input")
            .WithDescription("is_approve true accepts the task's output and the run goes on; false reruns the task with human_feedback as extra context. "
                + "Webhook fields sent here replace the run's from now on.")
            .Accepts<ResumeRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Results<Ok<ResumeResponse>, JsonHttpResult<ErrorResponse>>> Resume(
        AmpCrew crew, HttpContext context, RunService runs, IWebhookUrlValidator webhookUrls, CancellationToken cancellationToken)
    {
        var (request, error) = await RequestBody.ReadJsonAsync(context.Request, MusterJsonContext.Default.ResumeRequest, cancellationToken);
        if (request is null)
        {
            return error!;
        }

        var missing = MissingFields(request);
        if (missing.Count > 0)
        {
            return AmpErrors.InvalidFields(missing.Select(f => (f, "This field is required.")));
        }

        // The run is named in the body, so it is found here, after the body's checks, rather than bound with the route.
        var run = await runs.FindAsync(crew.Principal, request.ExecutionId!, crew.Crew.Name, cancellationToken);
        if (run is null)
        {
            return AmpErrors.ExecutionNotFound(request.ExecutionId!);
        }

        if (run.State != RunState.AwaitingHuman || run.PendingReview?.Name != request.TaskId)
        {
            return AmpErrors.Error(StatusCodes.Status400BadRequest, "Bad Request", NotPausedOn(run, request.TaskId!));
        }

        var webhooks = Replace(run.Webhooks, request);
        if (webhooks is not null)
        {
            var problems = await webhookUrls.ValidateAsync(webhooks, cancellationToken);
            if (problems.Count > 0)
            {
                return AmpErrors.InvalidFields(problems.Select(p => (p.Field, p.Message)));
            }
        }

        var approved = request.IsApprove!.Value;
        var review = new HumanReview(request.TaskId!, request.HumanFeedback!, approved);
        return await runs.ResumeAsync(run, review, webhooks, cancellationToken) switch
        {
            ResumeOutcome.Resumed when approved => TypedResults.Ok(new ResumeResponse("resumed", $"Execution resumed at task {request.TaskId}")),
            ResumeOutcome.Resumed => TypedResults.Ok(new ResumeResponse("retrying", $"Task {request.TaskId} will run again with the feedback")),
            ResumeOutcome.NotFound => AmpErrors.ExecutionNotFound(request.ExecutionId!),
            // Another reviewer answered first, or the run was stopped, between the check above and the store's atomic one.
            _ => AmpErrors.Error(StatusCodes.Status400BadRequest, "Bad Request", NotPaused),
        };
    }

    /// <summary>
    /// The spec's message, and when the run does await a review, of which task: a reviewer who sent the wrong task_id
    /// learns the right one rather than that nothing awaits review.
    /// </summary>
    private static string NotPausedOn(RunRecord run, string taskId) =>
        run is { State: RunState.AwaitingHuman, PendingReview: { } pending }
            ? $"{NotPaused} for task '{AmpErrors.Truncate(taskId)}': the execution awaits review of task '{pending.Name}'"
            : NotPaused;

    private static List<string> MissingFields(ResumeRequest request)
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(request.ExecutionId))
        {
            missing.Add("execution_id");
        }

        if (string.IsNullOrWhiteSpace(request.TaskId))
        {
            missing.Add("task_id");
        }

        if (request.HumanFeedback is null)
        {
            missing.Add("human_feedback");
        }

        if (request.IsApprove is null)
        {
            missing.Add("is_approve");
        }

        return missing;
    }

    /// <summary>The run's webhook settings with the fields this request sends replacing theirs; null when it sends none.</summary>
    private static WebhookSettings? Replace(WebhookSettings current, ResumeRequest request)
    {
        if (request is { TaskWebhookUrl: null, StepWebhookUrl: null, CrewWebhookUrl: null, Webhooks: null, HumanInputWebhook: null })
        {
            return null;
        }

        return current with
        {
            TaskWebhookUrl = request.TaskWebhookUrl ?? current.TaskWebhookUrl,
            StepWebhookUrl = request.StepWebhookUrl ?? current.StepWebhookUrl,
            CrewWebhookUrl = request.CrewWebhookUrl ?? current.CrewWebhookUrl,
            Stream = request.Webhooks ?? current.Stream,
            HumanInput = request.HumanInputWebhook ?? current.HumanInput,
        };
    }
}
