using System.Text.Json;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Core.Engine;
using Muster.Server.Protocols.A2a;
using Muster.Storage;

namespace Muster.Server.Webhooks;

/// <summary>
/// Turns one run event into the webhooks it owes, from the run's settings as they are when the event happens
/// (so URLs replaced at resume apply from then on).
/// </summary>
internal sealed class DeliveryPlanner(TimeProvider timeProvider) : IDeliveryPlanner
{
    public IReadOnlyList<NewDelivery> Plan(RunRecord run, RunEvent runEvent)
    {
        var settings = run.Webhooks;
        // Made for the first webhook only: most events of most runs owe none, and each event's list waits with it for the writer.
        List<NewDelivery>? deliveries = null;

        switch (runEvent.Data)
        {
            case AgentStep step when HasUrl(settings.StepWebhookUrl):
                (deliveries ??= []).Add(Create(run, settings.StepWebhookUrl!, WebhookKinds.Step, WebhookPayloads.Step(run, step), null));
                break;
            case TaskCompleted completed when HasUrl(settings.TaskWebhookUrl):
                (deliveries ??= []).Add(Create(run, settings.TaskWebhookUrl!, WebhookKinds.Task, WebhookPayloads.Task(run, completed), null));
                break;
            case CrewKickoffCompleted completed when HasUrl(settings.CrewWebhookUrl):
                (deliveries ??= []).Add(Create(run, settings.CrewWebhookUrl!, WebhookKinds.Crew, WebhookPayloads.Crew(run, completed), null));
                break;
            case CrewKickoffFailed failed when HasUrl(settings.CrewWebhookUrl):
                (deliveries ??= []).Add(Create(run, settings.CrewWebhookUrl!, WebhookKinds.Crew, WebhookPayloads.Crew(run, failed), null));
                break;
            case TaskAwaitingHuman awaiting when HasUrl(settings.HumanInput?.Url):
                (deliveries ??= []).Add(Create(
                    run, settings.HumanInput!.Url!, WebhookKinds.HumanInput, WebhookPayloads.HumanInput(run, runEvent, awaiting), settings.HumanInput.Authentication));
                break;
        }

        if (settings.Stream is { } stream && HasUrl(stream.Url) && Subscribed(stream, runEvent.Type))
        {
            (deliveries ??= []).Add(Create(
                run, stream.Url!, stream.Realtime ? WebhookKinds.Event : WebhookKinds.Events, WebhookPayloads.StreamEvent(runEvent), stream.Authentication));
        }

        if (A2aPushNotifications.Plan(run, runEvent) is { } pushes)
        {
            foreach (var (config, payload) in pushes)
            {
                (deliveries ??= []).Add(Create(run, config.Url, WebhookKinds.A2aPush, payload, null) with { Authentication = A2aPushNotifications.Headers(config) });
            }
        }

        if (deliveries is null)
        {
            return [];
        }

        return deliveries;
    }

    private static bool HasUrl(string? url) => !string.IsNullOrWhiteSpace(url);

    // An empty or absent list means every event, as CrewAI's stream does when no filter is given.
    private static bool Subscribed(WebhookStreamConfig stream, string type) =>
        stream.Events is not { Count: > 0 } events || events.Contains(type, StringComparer.Ordinal);

    private NewDelivery Create(RunRecord run, string url, string kind, string payload, WebhookAuthentication? authentication) => new()
    {
        Id = Guid.CreateVersion7(),
        RunId = run.Id,
        Url = url,
        Kind = kind,
        Payload = payload,
        Authentication = authentication is null ? null : JsonSerializer.Serialize(authentication, MusterJsonContext.Default.WebhookAuthentication),
        CreatedAt = timeProvider.GetUtcNow(),
    };
}
