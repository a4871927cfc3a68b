using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Storage;

namespace Muster.Server.Endpoints;

/// <summary><c>GET /</c> (AMP's health check), <c>/healthz</c> (alive) and <c>/readyz</c> (store reachable); no token needed.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapMusterHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Health").AllowAnonymous();
        group.MapGet("/", () => TypedResults.Text("Healthy")).WithName("Health").WithSummary("Answers Healthy, as AMP does");
        group.MapGet("/healthz", () => TypedResults.Text("Healthy")).WithName("Alive").WithSummary("The process is alive");
        group.MapGet("/readyz", Ready).WithName("Ready").WithSummary("The run store answers (503 when it does not)")
            .Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");
        return app;
    }

    private static async Task<ContentHttpResult> Ready(IRunStore store, CancellationToken cancellationToken)
    {
        bool answers;
        try
        {
            answers = await store.PingAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            // A database that is down is exactly what this probe reports; it is not a server error.
            answers = false;
        }

        return answers
            ? TypedResults.Text("Ready")
            : TypedResults.Text("Store unreachable", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
