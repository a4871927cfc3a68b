using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Core.Crews;
using Muster.Core.Outputs;
using Muster.Server.Auth;
using Muster.Server.CrewRuns;
using Muster.Server.Crews;
using Muster.Server.Execution;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Endpoints;

/// <summary><c>POST /kickoff</c>: validates the request, stores the run durably, answers its id.</summary>
internal static class KickoffEndpoints
{
    private const int MaxIdempotencyKeyLength = 255;

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
            .Produces<ErrorResponse>(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<Results<Ok<KickoffResponse>, JsonHttpResult<ErrorResponse>>> Kickoff(
        HttpContext context,
        MusterPrincipal principal,
        CrewCatalog catalog,
        RunService runs,
        IWebhookUrlValidator webhookUrls,
        CancellationToken cancellationToken)
    {
        var (call, error) = await CrewRoute.ReadAsync(context, catalog, principal, MusterJsonContext.Default.KickoffRequest, cancellationToken);
        if (call is not ({ } crew, { } request))
        {
            return error!;
        }

        if (request.Inputs is null)
        {
            return AmpErrors.BadRequest("The 'inputs' field is required and must be a JSON object.");
        }

        var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
        if (idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            return AmpErrors.BadRequest($"The Idempotency-Key header must be at most {MaxIdempotencyKeyLength} characters.");
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

        try
        {
            var result = await runs.KickoffAsync(
                new KickoffCommand(
                    principal,
                    crew.Name,
                    crew,
                    request.Inputs,
                    request.Meta,
                    webhooks,
                    // An unusable x-correlation-id is replaced rather than refused: AMP clients never send one on purpose.
                    CorrelationIds.FromRequest(context) ?? Guid.NewGuid().ToString("N"),
                    idempotencyKey.Length == 0 ? null : idempotencyKey),
                cancellationToken);
            return TypedResults.Ok(new KickoffResponse(result.RunId));
        }
        catch (MissingInputsException ex)
        {
            return AmpErrors.MissingInputs(ex.Missing);
        }
        catch (OutputFileRefusedException ex)
        {
            return AmpErrors.InvalidFields([("inputs", ex.Message)]);
        }
        catch (IdempotencyKeyReusedException ex)
        {
            return AmpErrors.InvalidFields([("Idempotency-Key", ex.Message)]);
        }
        catch (RunTooLargeException ex)
        {
            return AmpErrors.Error(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", ex.Message);
        }
    }
}
