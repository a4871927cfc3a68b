using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Server.CrewRuns;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Amp;

/// <summary><c>POST /kickoff</c>: validates the request, stores the run durably, answers its id.</summary>
internal static class KickoffEndpoints
{
    public static RouteGroupBuilder MapKickoff(this RouteGroupBuilder group, string routePrefix)
    {
        group.MapPost("/kickoff", Kickoff)
            .WithName(CrewRoute.OperationId(routePrefix, "kickoffCrew"))
            .WithSummary("Start a run of the crew")
            .WithDescription("Answered once the run is stored. An Idempotency-Key header repeated by the same owner within 24 hours returns the same kickoff_id; repeated with another crew or body it answers 422.")
            .Accepts<KickoffRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<ErrorResponse>(StatusCodes.Status422UnprocessableEntity)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static async Task<Results<Ok<KickoffResponse>, JsonHttpResult<ErrorResponse>>> Kickoff(
        AmpCrew crew, IdempotencyKey idempotencyKey, HttpContext context, RunService runs, IWebhookUrlValidator webhookUrls, CancellationToken cancellationToken)
    {
        var (request, error) = await RequestBody.ReadJsonAsync(context.Request, MusterJsonContext.Default.KickoffRequest, cancellationToken);
        if (request is null)
        {
            return error!;
        }

        if (request.Inputs is null)
        {
            return AmpErrors.BadRequest("The 'inputs' field is required and must be a JSON object.");
        }

        if (idempotencyKey.TooLong)
        {
            return AmpErrors.BadRequest($"The Idempotency-Key header must be at most {IdempotencyKey.MaxLength} characters.");
        }

        var webhooks = new WebhookSettings
        {
            TaskWebhookUrl = request.TaskWebhookUrl,
            StepWebhookUrl = request.StepWebhookUrl,
            CrewWebhookUrl = request.CrewWebhookUrl,
            Stream = request.Webhooks,
            HumanInput = request.HumanInputWebhook,
        };
        var problems = await webhookUrls.ValidateAsync(webhooks, cancellationToken);
        if (problems.Count > 0)
        {
            return AmpErrors.InvalidFields(problems.Select(p => (p.Field, p.Message)));
        }

        var command = new KickoffCommand(
            crew.Principal,
            crew.Crew.Name,
            crew.Crew,
            request.Inputs,
            request.Meta,
            webhooks,
            // An unusable x-correlation-id is replaced rather than refused: AMP clients never send one on purpose.
            CorrelationIds.FromRequest(context) ?? Guid.NewGuid().ToString("N"),
            idempotencyKey.Value)
        {
            Budget = request.Budget,
        };
        return await runs.KickoffAsync(command, cancellationToken) switch
        {
            KickoffOutcome.Started started => TypedResults.Ok(new KickoffResponse(started.RunId)),
            KickoffOutcome.MissingInputs missing => AmpErrors.MissingInputs(missing.Names),
            KickoffOutcome.OutputFileRefused refused => AmpErrors.InvalidFields([("inputs", refused.Message)]),
            KickoffOutcome.KeyReused reused => AmpErrors.InvalidFields([("Idempotency-Key", reused.Message)]),
            KickoffOutcome.TooLarge tooLarge => AmpErrors.Error(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", tooLarge.Message),
            KickoffOutcome.BudgetRefused refused => AmpErrors.InvalidFields([("budget", refused.Message)]),
            KickoffOutcome.TokenLimitReached reached => AmpErrors.TokenLimitReached(context, reached),
            var other => throw new UnreachableException($"A kickoff outcome this route does not know: {other}."),
        };
    }
}
