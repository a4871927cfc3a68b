using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts.Amp;
using Muster.Server.Hosting;

namespace Muster.Server.Amp;

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

    private static Results<Ok<StatusResponse>, Utf8JsonResult, JsonHttpResult<LegacyStatusResponse>, JsonHttpResult<ErrorResponse>> GetStatus(
        string kickoff_id, AmpRunStatus status) => status.Body switch
    {
        { Json: { } json } => new Utf8JsonResult(json),
        { Live: { } live } => TypedResults.Json(live),
        _ => TypedResults.Ok(status.Body.Documented!),
    };
}
