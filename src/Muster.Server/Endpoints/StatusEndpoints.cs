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
            .WithDescription("running (current_task, progress, pending_human_input when paused), completed (result, execution_time) or error; plus state and token_usage. In legacy mode (Muster:Compat:Legacy) the live service's {state, status, result: string, last_step, error}.");
        group.MapGet("/{kickoff_id}/status", GetStatus)
            .WithName(CrewRoute.OperationId(routePrefix, "getKickoffStatusAlternatePath"))
            .WithSummary("Status of a run (alternate path)");
        return group;
    }

    // A finished run's status never changes, and RunService hands out the same view of it for as long as FinishedRunCache
    // keeps it: its body is serialized once per view and written as bytes to every later reader (a poller's last read, and
    // everyone who looks at the run in that minute). An entry goes with its view.
    private static readonly ConditionalWeakTable<RunView, byte[]> FinishedBodies = new();

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
            return AmpErrors.CrewNotFound(requested);
        }

        var legacy = options.Value.Compat.Legacy;
        var view = Guid.TryParse(kickoff_id, out var runId)
            ? await runs.GetViewAsync(principal, runId, legacy ? StatusMapper.LegacyShowsTasks : StatusMapper.ShowsTasks, cancellationToken)
            : null;
        if (view is not ({ } run, var tasks) || !CrewRoute.Serves(crew, run))
        {
            return AmpErrors.ExecutionNotFound(kickoff_id);
        }

        if (legacy)
        {
            return TypedResults.Json(StatusMapper.ToLegacyStatus(run, tasks));
        }

        if (!run.State.IsFinished())
        {
            return TypedResults.Ok(StatusMapper.ToStatus(run, tasks, time.GetUtcNow()));
        }

        if (!FinishedBodies.TryGetValue(view, out var body))
        {
            // With the options TypedResults.Ok uses, so the bytes are the ones it would write.
            var typeInfo = (JsonTypeInfo<StatusResponse>)json.Value.SerializerOptions.GetTypeInfo(typeof(StatusResponse));
            body = JsonSerializer.SerializeToUtf8Bytes(StatusMapper.ToStatus(run, tasks, time.GetUtcNow()), typeInfo);
            // Only a view the cache holds is handed out again; one read past the cache (a full cache, or none) is not kept.
            if (finishedRuns.TryGet(run.Id, out var cached) && ReferenceEquals(cached, view))
            {
                FinishedBodies.TryAdd(view, body);
            }
        }

        return new Utf8JsonResult(body);
    }
}
