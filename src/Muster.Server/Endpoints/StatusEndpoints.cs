using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Muster.Contracts.Amp;
using Muster.Server.Auth;
using Muster.Server.Crews;
using Muster.Server.Execution;
using Muster.Server.Hosting;

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

    private static async Task<Results<Ok<StatusResponse>, JsonHttpResult<LegacyStatusResponse>, JsonHttpResult<ErrorResponse>>> GetStatus(
        string kickoff_id,
        HttpContext context,
        MusterPrincipal principal,
        CrewCatalog catalog,
        RunService runs,
        IOptions<MusterOptions> options,
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
        if (view is not ({ } run, var tasks) || run.CrewName != crew.Name)
        {
            return AmpErrors.ExecutionNotFound(kickoff_id);
        }

        return legacy
            ? TypedResults.Json(StatusMapper.ToLegacyStatus(run, tasks))
            : TypedResults.Ok(StatusMapper.ToStatus(run, tasks, time.GetUtcNow()));
    }
}
