using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;
using Muster.Server.Amp;
using Muster.Server.CrewRuns;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Storage;
using Muster.Server.Hosting;

namespace Muster.Server.CrewRuns;

/// <summary><c>/api/crew-runs</c>: the run history, one run, its events (JSON or live SSE), its output files, and deletion.</summary>
internal static class CrewRunsEndpoints
{
    private const string NextCursorHeader = "X-Next-Cursor";
    private const int MaxEventsPerRequest = 1000;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapMusterCrewRuns(this IEndpointRouteBuilder app)
    {
        MusterFeatures.Require(app, nameof(MapMusterCrewRuns), MusterFeatures.Muster, MusterFeatures.CrewRuns);
        var group = app.MapGroup("/api/crew-runs").WithTags("Crew runs").RequireAuthorization().WithCorrelationId();
        group.MapGet("/", List).WithName("ListCrewRuns")
            .WithSummary("Runs, newest first, filtered; the next page's cursor is in X-Next-Cursor and Link rel=next");
        group.MapGet("/{id}", Get).WithName("GetCrewRun").WithSummary("One run")
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", Delete).WithName("DeleteCrewRun").WithSummary("Delete a finished run; 409 while it runs")
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status409Conflict);
        group.MapGet("/{id}/events", Events).WithName("GetCrewRunEvents")
            .WithSummary("The run's events after a sequence (at most 1000 a call; continue with after); with Accept: text/event-stream, streamed live until the run ends")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/files", Files).WithName("ListCrewRunFiles")
            .WithSummary("The files the run's tasks wrote (output_file), with their paths inside the run's folder")
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/files/{**path}", File).WithName("GetCrewRunFile")
            .WithSummary("Download one file the run's tasks wrote; its path as listed by ListCrewRunFiles")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<CrewRunRecord>>, UnprocessableEntity<ValidationErrorResponse>>> List(
        HttpContext context, MusterPrincipal principal, RunService runs, CancellationToken cancellationToken)
    {
        var (query, errors) = RunListRequest.Parse(context.Request.Query, principal.IsOrganization);
        if (query is null)
        {
            return TypedResults.UnprocessableEntity(new ValidationErrorResponse(errors));
        }

        RunPage page;
        try
        {
            page = await runs.ListAsync(principal, query, cancellationToken);
        }
        catch (ArgumentException ex) when (ex.ParamName == "cursor")
        {
            // The store alone can tell whether it issued a cursor.
            return TypedResults.UnprocessableEntity(new ValidationErrorResponse([new FieldError("query.cursor", ex.Message)]));
        }

        if (page.NextCursor is { } cursor)
        {
            context.Response.Headers[NextCursorHeader] = cursor;
            context.Response.Headers.Link = $"<{RunListRequest.NextPageUrl(context.Request, cursor)}>; rel=\"next\"";
        }

        IReadOnlyList<CrewRunRecord> records = [.. page.Runs.Select(run => CrewRunRecordMapper.ToRecord(run, taskResults: null))];
        return TypedResults.Ok(records);
    }

    private static async Task<Ok<CrewRunRecord>> Get(string id, CrewRunRoute run, RunService runs, CancellationToken cancellationToken)
    {
        var tasks = await runs.GetTaskResultsAsync(run.Run, cancellationToken);
        return TypedResults.Ok(CrewRunRecordMapper.ToRecord(run.Run, tasks));
    }

    private static Ok<IReadOnlyList<RunFileRecord>> Files(string id, CrewRunRoute run, RunService runs) => TypedResults.Ok(runs.GetFiles(run.Run));

    private static Results<PhysicalFileHttpResult, JsonHttpResult<ErrorResponse>> File(string id, string path, CrewRunRoute run, RunService runs)
    {
        if (runs.FindFile(run.Run, path) is not { } file)
        {
            return AmpErrors.Error(StatusCodes.Status404NotFound, "Not Found", $"Run '{id}' has no file '{path}'; GET /api/crew-runs/{id}/files lists its files.");
        }

        var contentType = ContentTypes.TryGetContentType(file.Name, out var known) ? known : "application/octet-stream";
        return TypedResults.PhysicalFile(file.FullName, contentType, file.Name, file.LastWriteTimeUtc);
    }

    private static async Task<Results<NoContent, JsonHttpResult<ErrorResponse>>> Delete(string id, CrewRunRoute run, RunService runs, CancellationToken cancellationToken) =>
        await runs.DeleteAsync(run.Run, cancellationToken) switch
        {
            DeleteOutcome.Deleted => TypedResults.NoContent(),
            DeleteOutcome.NotFinished => AmpErrors.Error(
                StatusCodes.Status409Conflict, "Conflict", "The run has not finished; stop it first (POST /stop/{id}) and delete it once it has."),
            _ => AmpErrors.ExecutionNotFound(id),
        };

    private static async Task<Results<Ok<IReadOnlyList<RunEventDto>>, RunEventStreamResult, UnprocessableEntity<ValidationErrorResponse>, JsonHttpResult<ErrorResponse>>> Events(
        string id, HttpContext context, MusterPrincipal principal, RunService runs, CancellationToken cancellationToken)
    {
        var stream = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));
        // A reconnecting EventSource repeats the original URL and says where it got to in Last-Event-ID, which wins.
        var lastEventId = stream ? context.Request.Headers["Last-Event-ID"].ToString() : string.Empty;
        var (after, path) = lastEventId.Length > 0
            ? (lastEventId, "headers.last-event-id")
            : (context.Request.Query["after"].ToString(), "query.after");
        long afterSequence = 0;
        if (after.Length > 0 && !(long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterSequence)))
        {
            return TypedResults.UnprocessableEntity(new ValidationErrorResponse([new FieldError(path, "Must be a non-negative integer (an event sequence)")]));
        }

        // Found here, after the query's check, rather than bound with the route: a bad sequence answers 422 whether or not the run exists.
        var run = await runs.FindAsync(principal, id, crew: null, cancellationToken);
        if (run is null)
        {
            return AmpErrors.ExecutionNotFound(id);
        }

        if (stream)
        {
            return new RunEventStreamResult(run, afterSequence);
        }

        var events = await runs.GetEventsAsync(run, afterSequence, MaxEventsPerRequest, cancellationToken);
        IReadOnlyList<RunEventDto> dtos = [.. events.Select(CrewRunRecordMapper.ToDto)];
        return TypedResults.Ok(dtos);
    }
}
