using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;
using Muster.Core.Crews;
using Muster.Core.Tools;
using Muster.Server.Amp;
using Muster.Server.Crews;
using Muster.Server.CrewRuns;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Server.Webhooks;
using Muster.Storage;
using Muster.Server.Hosting;

namespace Muster.Server.Crews;

/// <summary><c>/api/crews</c>: the deployed crews, and runs of a deployed crew by name or of a crew given in the request.</summary>
internal static class CrewsEndpoints
{
    public static IEndpointRouteBuilder MapMusterCrews(this IEndpointRouteBuilder app)
    {
        MusterFeatures.Require(app, nameof(MapMusterCrews), MusterFeatures.Muster, MusterFeatures.Webhooks, MusterFeatures.CrewRuns);
        var group = app.MapGroup("/api/crews").WithTags("Crews").RequireAuthorization().WithCorrelationId();
        group.MapGet("/", List).WithName("ListCrews").WithSummary("The deployed crews this token covers");
        group.MapPost("/run", Run).WithName("RunCrew")
            .WithSummary("Run a deployed crew by name; x-correlation-id is honoured and echoed")
            .Accepts<RunCrewRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests);
        group.MapPost("/run/custom", RunCustom).WithName("RunCustomCrew")
            .WithSummary("Run a crew given in the request (403 when Muster:AdHocCrews:Enabled is false)")
            .Accepts<RunCustomCrewRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static Ok<IReadOnlyList<CrewInfo>> List(MusterPrincipal principal, CrewCatalog catalog)
    {
        IReadOnlyList<CrewInfo> crews = [.. catalog.CoveredBy(principal)
            .Select(crew => new CrewInfo
            {
                Name = crew.Name,
                Description = crew.Description,
                Process = crew.Process == CrewProcess.Hierarchical ? "hierarchical" : "sequential",
                Inputs = crew.Inputs,
                // A role written "role: >" (CrewAI's template) ends in a newline, kept for the prompts as CrewAI keeps it; a list shows names.
                Agents = [.. crew.Agents.Select(agent => agent.Role.Trim())],
                Tasks = [.. crew.Tasks.Select(task => task.Name)],
            })];
        return TypedResults.Ok(crews);
    }

    private static async Task<Results<Ok<RunCreatedResponse>, UnprocessableEntity<ValidationErrorResponse>, JsonHttpResult<ErrorResponse>>> Run(
        HttpContext context, MusterPrincipal principal, IdempotencyKey idempotencyKey, CrewCatalog catalog, RunService runs, CancellationToken cancellationToken)
    {
        var (request, error) = await RequestBody.ReadJsonAsync(context.Request, MusterJsonContext.Default.RunCrewRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(request!.CrewType))
        {
            return Invalid(new FieldError("crew_type", "Field required: the name of a deployed crew (GET /api/crews lists them)"));
        }

        var crew = catalog.Find(request.CrewType);
        if (crew is null || !principal.CoversCrew(crew.Name))
        {
            return AmpErrors.CrewNotFound(catalog, principal, request.CrewType);
        }

        var missing = CrewConfigMapper.MissingInputs(crew, request.TaskInput);
        return missing.Count > 0
            ? TypedResults.UnprocessableEntity(new ValidationErrorResponse(missing))
            : await KickoffAsync(context, principal, idempotencyKey, runs, crew, request.TaskInput, adHoc: false, cancellationToken);
    }

    private static async Task<Results<Ok<RunCreatedResponse>, UnprocessableEntity<ValidationErrorResponse>, JsonHttpResult<ErrorResponse>>> RunCustom(
        HttpContext context,
        MusterPrincipal principal,
        IdempotencyKey idempotencyKey,
        RunService runs,
        IOptions<AdHocCrewOptions> options,
        IToolRegistry tools,
        IWebhookUrlValidator urls,
        CancellationToken cancellationToken)
    {
        // 403, not 404: the route exists and the caller should learn that the server (or its token) does not allow it.
        if (!options.Value.Enabled)
        {
            return AmpErrors.Error(StatusCodes.Status403Forbidden, "Forbidden", "Ad-hoc crews are disabled on this server (Muster:AdHocCrews:Enabled).");
        }

        if (principal.Crews.Count > 0)
        {
            return AmpErrors.Error(StatusCodes.Status403Forbidden, "Forbidden", "This token is limited to some deployed crews and cannot run ad-hoc crews.");
        }

        var (request, error) = await RequestBody.ReadJsonAsync(context.Request, MusterJsonContext.Default.RunCustomCrewRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var built = CrewConfigMapper.FromConfig(request!.CrewConfig, request.TaskInput, options.Value, tools.Names);
        if (built.Crew is null)
        {
            return TypedResults.UnprocessableEntity(new ValidationErrorResponse(built.Errors));
        }

        var refused = await AdHocMcpUrls.CheckAsync(built.Crew, urls, cancellationToken);
        return refused.Count > 0
            ? TypedResults.UnprocessableEntity(new ValidationErrorResponse(refused))
            : await KickoffAsync(context, principal, idempotencyKey, runs, built.Crew, request.TaskInput, adHoc: true, cancellationToken);
    }

    private static async Task<Results<Ok<RunCreatedResponse>, UnprocessableEntity<ValidationErrorResponse>, JsonHttpResult<ErrorResponse>>> KickoffAsync(
        HttpContext context,
        MusterPrincipal principal,
        IdempotencyKey idempotencyKey,
        RunService runs,
        CrewDefinition crew,
        JsonObject? taskInput,
        bool adHoc,
        CancellationToken cancellationToken)
    {
        var correlationId = CorrelationIds.FromRequest(context);
        if (correlationId is null)
        {
            return Invalid(new FieldError($"headers.{CorrelationIds.Header}", CorrelationIds.Rule));
        }

        if (idempotencyKey.TooLong)
        {
            return Invalid(new FieldError("headers.idempotency-key", $"At most {IdempotencyKey.MaxLength} characters"));
        }

        var command = new KickoffCommand(principal, crew.Name, crew, taskInput ?? [], Meta: null, WebhookSettings.None, correlationId, idempotencyKey.Value, adHoc);
        var outcome = await runs.KickoffAsync(command, cancellationToken);
        if (outcome is KickoffOutcome.Started { Duplicate: true } duplicate && await runs.FindAsync(principal, duplicate.RunId, crew: null, cancellationToken) is { } earlier)
        {
            // The run the key started first, as it stands now: it may have finished, and it keeps its own correlation id.
            return TypedResults.Ok(new RunCreatedResponse
            {
                Id = earlier.Id.ToString(),
                CorrelationId = earlier.CorrelationId ?? correlationId,
                Status = CrewRunRecordMapper.StatusName(earlier.State),
                Message = "A run with this Idempotency-Key was already started; this is its id",
            });
        }

        return outcome switch
        {
            KickoffOutcome.Started started => TypedResults.Ok(new RunCreatedResponse
            {
                Id = started.RunId.ToString(),
                CorrelationId = correlationId,
                Status = "pending",
                Message = $"Run of crew '{crew.Name}' queued",
            }),
            // The checks before the kickoff find these first; this keeps the answer a 422 should the engine's rule ever be stricter.
            KickoffOutcome.MissingInputs missing => TypedResults.UnprocessableEntity(new ValidationErrorResponse(
                [.. missing.Names.Select(name => new FieldError($"task_input.{name}", "Field required"))])),
            KickoffOutcome.OutputFileRefused refused => Invalid(new FieldError("task_input", refused.Message)),
            KickoffOutcome.KeyReused reused => Invalid(new FieldError("headers.idempotency-key", reused.Message)),
            KickoffOutcome.TooLarge tooLarge => AmpErrors.Error(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", tooLarge.Message),
            KickoffOutcome.TokenLimitReached reached => AmpErrors.TokenLimitReached(context, reached),
            var other => throw new UnreachableException($"A kickoff outcome this route does not know: {other}."),
        };
    }

    private static UnprocessableEntity<ValidationErrorResponse> Invalid(FieldError error) =>
        TypedResults.UnprocessableEntity(new ValidationErrorResponse([error]));
}
