using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Webhooks;

/// <summary>
/// Decides which webhook deliveries an event causes (step, task, crew, human-input and event-stream webhooks),
/// so that the run sink stores them in the same transaction as the event (the outbox).
/// </summary>
public interface IDeliveryPlanner
{
    /// <param name="run">The run as it is before the event is applied (its webhook settings and meta).</param>
    /// <param name="runEvent">The event being recorded.</param>
    IReadOnlyList<NewDelivery> Plan(RunRecord run, RunEvent runEvent);
}
