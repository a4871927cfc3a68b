using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts.Amp;
using Muster.Server.Runs;
using Muster.Storage;

namespace Muster.Server.Amp;

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
        string kickoff_id, AmpRun run, RunService runs, CancellationToken cancellationToken)
    {
        var result = await runs.StopAsync(run.Principal, run.Run, cancellationToken);
        return result.Outcome switch
        {
            StopOutcome.Stopped or StopOutcome.StopRequested => TypedResults.Ok(new StopResponse("stopped", run.Run.Id)),
            StopOutcome.AlreadyFinished => TypedResults.BadRequest(new DetailResponse($"Cannot stop execution. Current state: {FinishedState(result.State)}")),
            // The run vanished (deleted or purged) since it was found.
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
