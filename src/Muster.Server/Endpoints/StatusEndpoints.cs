using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Muster.Contracts.Amp;
using Muster.Server.Auth;
using Muster.Server.Crews;
using Muster.Server.Execution;
using Muster.Server.Hosting;
using Muster.Storage;

namespace Muster.Server.Endpoints;

/// <summary><c>GET /status/{kickoff_id}</c> and <c>GET /{kickoff_id}/status</c> (the path some docs show).</summary>
internal static class StatusEndpoints
{
    public static RouteGroupBuilder MapStatus(this RouteGroupBuilder group, string routePrefix)
    {
        group.MapGet("/status/{kickoff_id}", GetStatus)
            .WithName(CrewRoute.OperationId(routePrefix, "getKickoffStatus"))
            .WithSummary("Status of a run")
            .WithDescription("running (current_task, progress, pending_human_input when paused), completed (result, execution_time) or error; plus state and token_usage. In the live shape (the token's status_shape, else Muster:Compat:Legacy) the live service's {state, status, result: string|null, last_step, error}; a failed run's reason is in result as well as error.");
        group.MapGet("/{kickoff_id}/status", GetStatus)
            .WithName(CrewRoute.OperationId(routePrefix, "getKickoffStatusAlternatePath"))
            .WithSummary("Status of a run (alternate path)");
        return group;
    }

    // A finished run's status never changes, and RunService hands out the same view of it for as long as FinishedRunCache
    // keeps it: its body is serialized once per view and shape and written as bytes to every later reader of that shape
    // (a poller's last read, and everyone who looks at the run in that minute). An entry goes with its view.
    private static readonly ConditionalWeakTable<RunView, FinishedBodies> Finished = new();

    private static async Task<Results<Ok<StatusResponse>, Utf8JsonResult, JsonHttpResult<LegacyStatusResponse>, JsonHttpResult<ErrorResponse>>> GetStatus(
        string kickoff_id,
        HttpContext context,
        MusterPrincipal principal,
        CrewCatalog catalog,
        RunService runs,
        FinishedRunCache finishedRuns,
        IOptions<MusterOptions> options,
        IOptions<JsonOptions> json,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var crew = CrewRoute.Resolve(context, catalog, principal, out var requested);
        if (crew is null)
        {
            return AmpErrors.CrewNotFound(catalog, principal, requested);
        }

        var live = principal.UsesLiveShape(options.Value.Compat.Legacy);
        var view = Guid.TryParse(kickoff_id, out var runId)
            ? await runs.GetViewAsync(principal, runId, live ? StatusMapper.LegacyShowsTasks : StatusMapper.ShowsTasks, cancellationToken)
            : null;
        if (view is not ({ } run, var tasks) || !CrewRoute.Serves(crew, run))
        {
            return AmpErrors.ExecutionNotFound(kickoff_id);
        }

        if (!run.State.IsFinished())
        {
            if (live)
            {
                return TypedResults.Json(StatusMapper.ToLegacyStatus(run, tasks));
            }

            return TypedResults.Ok(StatusMapper.ToStatus(run, tasks, time.GetUtcNow()));
        }

        Finished.TryGetValue(view, out var bodies);
        var body = live ? bodies?.Live : bodies?.Documented;
        if (body is null)
        {
            // With the options TypedResults.Ok and Json use, so the bytes are the ones they would write.
            var serializer = json.Value.SerializerOptions;
            body = live
                ? JsonSerializer.SerializeToUtf8Bytes(StatusMapper.ToLegacyStatus(run, tasks), (JsonTypeInfo<LegacyStatusResponse>)serializer.GetTypeInfo(typeof(LegacyStatusResponse)))
                : JsonSerializer.SerializeToUtf8Bytes(StatusMapper.ToStatus(run, tasks, time.GetUtcNow()), (JsonTypeInfo<StatusResponse>)serializer.GetTypeInfo(typeof(StatusResponse)));

            // Only a view the cache holds is handed out again; one read past the cache (a full cache, or none) is not kept.
            if (finishedRuns.TryGet(run.Id, out var cached) && ReferenceEquals(cached, view))
            {
                bodies = Finished.GetValue(view, _ => new FinishedBodies());
                if (live)
                {
                    bodies.Live = body;
                }
                else
                {
                    bodies.Documented = body;
                }
            }
        }

        return new Utf8JsonResult(body);
    }

    /// <summary>A finished run's status body in each shape, serialized when first asked for (two readers may both do it: the bytes are the same).</summary>
    private sealed class FinishedBodies
    {
        public byte[]? Documented { get; set; }

        public byte[]? Live { get; set; }
    }
}
