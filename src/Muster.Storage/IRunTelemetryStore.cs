namespace Muster.Storage;

/// <summary>How many runs wait: to be claimed by a node (pending), and for a reviewer (paused for human input).</summary>
public readonly record struct WaitingRuns(long Pending, long AwaitingHuman);

/// <summary>
/// What telemetry reads from the store, and nothing else does: the gauges of waiting runs, and a run's trace context for
/// the spans of work done for it outside its execution (webhook deliveries).
/// </summary>
public interface IRunTelemetryStore
{
    /// <summary>The runs waiting to be claimed and those paused for human input, across every node.</summary>
    Task<WaitingRuns> CountWaitingRunsAsync(CancellationToken cancellationToken);

    /// <summary>The W3C <c>traceparent</c> stored with the run; null when it has none or does not exist.</summary>
    Task<string?> GetTraceParentAsync(Guid runId, CancellationToken cancellationToken);
}
