using Muster.Core.Engine;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Hosting;

/// <summary>Used until <c>AddWebhooks()</c> registers the webhooks' planner: events cause no deliveries.</summary>
internal sealed class NoDeliveryPlanner : IDeliveryPlanner
{
    public IReadOnlyList<NewDelivery> Plan(RunRecord run, RunEvent runEvent) => [];
}
