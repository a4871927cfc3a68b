using Muster.Core.Engine;

namespace Muster.Storage.Notifications;

/// <summary>
/// Says that a run's event was committed, to this node's live readers (SSE) and, on PostgreSQL, to every node's. A hint,
/// never the event: readers read the store from their last sequence, so a lost signal delays nothing past their own poll.
/// </summary>
public interface IRunEventSignals
{
    /// <summary>Announces that <paramref name="runEvent"/> was committed.</summary>
    ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken);

    /// <summary>Signals for events of one run; each item is the committed sequence, or 0 when signals may have been lost.</summary>
    IAsyncEnumerable<long> SubscribeAsync(Guid runId, CancellationToken cancellationToken);
}
