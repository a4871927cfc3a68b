using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts.Amp;
using Muster.Server.Auth;
using Muster.Server.Crews;
using Muster.Server.Execution;
using Muster.Storage;

namespace Muster.Server.Endpoints;

/// <summary><c>POST /stop/{kickoff_id}</c>: cancels a pending, running or paused run.</summary>
internal static class StopEndpoints
{
    public static RouteGroupBuilder MapStop(this RouteGroupBuilder group, string routePrefix)
    {
        group.MapPost("/stop/{kickoff_id}", Stop)
            .WithName(CrewRoute.OperationId(routePrefix, "stopKickoff"))
            .WithSummary("Stop a run")
            .WithDescription("A finished run answers 400 {detail: \"Cannot stop execution. Current state: SUCCESS|FAILURE|REVOKED\"}.");
        return group;
    }

    private static async Task<Results<Ok<StopResponse>, BadRequest<DetailResponse>, JsonHttpResult<ErrorResponse>>> Stop(
        string kickoff_id,
        HttpContext context,
        MusterPrincipal principal,
        CrewCatalog catalog,
        RunService runs,
        CancellationToken cancellationToken)
    {
        var crew = CrewRoute.Resolve(context, catalog, principal, out var requested);
        if (crew is null)
        {
            return AmpErrors.CrewNotFound(catalog, principal, requested);
        }

        var run = Guid.TryParse(kickoff_id, out var runId) ? await runs.GetRunAsync(principal, runId, cancellationToken) : null;
        if (run is null || !CrewRoute.Serves(crew, run))
        {
            return AmpErrors.ExecutionNotFound(kickoff_id);
        }

        var result = await runs.StopAsync(principal, runId, cancellationToken);
        return result.Outcome switch
        {
            StopOutcome.Stopped or StopOutcome.StopRequested => TypedResults.Ok(new StopResponse("stopped", runId)),
            StopOutcome.AlreadyFinished => TypedResults.BadRequest(new DetailResponse($"Cannot stop execution. Current state: {FinishedState(result.State)}")),
            _ => AmpErrors.ExecutionNotFound(kickoff_id),
        };
    }

    private static string FinishedState(RunState state) => state switch
    {
        RunState.Completed => "SUCCESS",
        RunState.Stopped => "REVOKED",
        _ => "FAILURE",
    };
}
