using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;
using Muster.Server.Auth;
using Muster.Server.Execution;
using Muster.Storage;
using Muster.Server.Hosting;

namespace Muster.Server.Endpoints;

/// <summary><c>GET /api/crew-runs/{id}/deliveries</c>: the run's webhooks and every attempt, for whoever may see the run.</summary>
public static class DeliveriesEndpoints
{
    public static IEndpointRouteBuilder MapMusterDeliveries(this IEndpointRouteBuilder app)
    {
        MusterFeatures.Require(app, nameof(MapMusterDeliveries), MusterFeatures.Muster, MusterFeatures.Webhooks);
        app.MapGet("/api/crew-runs/{id}/deliveries", GetDeliveries)
            .RequireAuthorization()
            .WithTags("Crew runs")
            .WithName("GetRunDeliveries")
            .WithSummary("Webhook deliveries of a run")
            .WithDescription("Each delivery with its state (pending, delivered, failed) and every attempt: time, status code, error.");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<DeliveryDto>>, JsonHttpResult<ErrorResponse>>> GetDeliveries(
        string id, MusterPrincipal principal, RunService runs, IDeliveryStore deliveries, CancellationToken cancellationToken)
    {
        var run = Guid.TryParse(id, out var runId) ? await runs.GetRunAsync(principal, runId, cancellationToken) : null;
        if (run is null)
        {
            return AmpErrors.ExecutionNotFound(id);
        }

        var records = await deliveries.GetDeliveriesAsync(run.Id, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DeliveryDto>>([.. records.Select(ToDto)]);
    }

    private static DeliveryDto ToDto(DeliveryRecord delivery) => new()
    {
        Id = delivery.Id.ToString(),
        Url = delivery.Url,
        Kind = delivery.Kind,
        State = delivery.State.ToString().ToLowerInvariant(),
        CreatedAt = UtcTimestampJsonConverter.Format(delivery.CreatedAt),
        Attempts = [.. delivery.Attempts.Select(a => new DeliveryAttemptDto { AttemptedAt = UtcTimestampJsonConverter.Format(a.AttemptedAt), StatusCode = a.StatusCode, Error = a.Error })],
    };
}
