using Muster.Core.Engine;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Hosting;

/// <summary>Used until the webhooks feature registers its planner: events cause no deliveries.</summary>
internal sealed class NoDeliveryPlanner : IDeliveryPlanner
{
    public IReadOnlyList<NewDelivery> Plan(RunRecord run, RunEvent runEvent) => [];
}

/// <summary>Used until the webhooks feature registers its SSRF checks: every URL is accepted.</summary>
internal sealed class PermissiveWebhookUrlValidator : IWebhookUrlValidator
{
    public ValueTask<IReadOnlyList<WebhookUrlProblem>> ValidateAsync(WebhookSettings webhooks, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<WebhookUrlProblem>>([]);

    public ValueTask<string?> CheckUrlAsync(string url, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}
