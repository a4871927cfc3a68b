using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Server.Runs;
using Muster.Storage;
using Muster.Server.Hosting;

namespace Muster.Server.Hosting;

/// <summary><c>GET /</c> (AMP's health check), <c>/healthz</c> (alive) and <c>/readyz</c> (runs can be stored); no token needed.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapMusterHealth(this IEndpointRouteBuilder app)
    {
        MusterFeatures.Require(app, nameof(MapMusterHealth), MusterFeatures.Muster);
        var group = app.MapGroup("").WithTags("Health").AllowAnonymous();
        group.MapGet("/", () => TypedResults.Text("Healthy")).WithName("Health").WithSummary("Answers Healthy, as AMP does");
        group.MapGet("/healthz", () => TypedResults.Text("Healthy")).WithName("Alive").WithSummary("The process is alive");
        group.MapGet("/readyz", Ready).WithName("Ready")
            .WithSummary("Runs can be stored: the runs table reads and recent writes succeeded (503 with the reason when not)")
            .Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");
        return app;
    }

    private static async Task<ContentHttpResult> Ready(RunService runs, StoreHealth health, HttpResponse response, CancellationToken cancellationToken)
    {
        try
        {
            await runs.PingStoreAsync(cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            // A database that is down is exactly what this probe reports; it is not a server error.
            return NotReady(response, ex.Kind, ex.Message);
        }

        // The read passed; the writes of the last moments (a full disk, a held lock, a corrupt page found) may say otherwise.
        return health.Problem is { } problem
            ? NotReady(response, problem.Kind, problem.Message)
            : TypedResults.Text("Ready");
    }

    private static ContentHttpResult NotReady(HttpResponse response, StoreFailureKind kind, string reason)
    {
        response.Headers.RetryAfter = Hosting.ErrorHandling.RetryAfterSeconds(kind);
        return TypedResults.Text($"Not ready: {reason}", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
