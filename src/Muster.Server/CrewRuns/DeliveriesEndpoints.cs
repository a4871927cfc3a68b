using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts;
using Muster.Contracts.Runs;
using Muster.Server.Runs;
using Muster.Storage;
using Muster.Server.Hosting;

namespace Muster.Server.CrewRuns;

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

    private static async Task<Ok<IReadOnlyList<DeliveryDto>>> GetDeliveries(string id, CrewRunRoute run, RunService runs, CancellationToken cancellationToken)
    {
        var records = await runs.GetDeliveriesAsync(run.Run, cancellationToken);
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
