namespace Muster.Core.Engine;

/// <summary>
/// Numbers a run's events from the checkpoint on and sends them to the sink, one at a time, in order. Safe to call
/// from tasks running concurrently (async_execution, parallel tool calls): each event is numbered and recorded
/// before the next one is, so the sink always sees one gap-free run-wide sequence.
/// </summary>
internal sealed class RunEventWriter(Guid runId, long lastSequence, IRunSink sink, TimeProvider timeProvider, CancellationToken cancellationToken) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _sequence = lastSequence;

    public Guid RunId => runId;

    /// <summary>The run itself is cancelled (stopped or shut down): nothing more may be published.</summary>
    public bool RunCancelled => cancellationToken.IsCancellationRequested;

    public async ValueTask PublishAsync(RunEventData data)
    {
        // A cancelled run emits nothing more: the server decides whether it was a stop or a shutdown.
        cancellationToken.ThrowIfCancellationRequested();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var runEvent = new RunEvent
            {
                RunId = runId,
                Sequence = _sequence + 1,
                Timestamp = timeProvider.GetUtcNow(),
                Data = data,
            };
            await sink.PublishAsync(runEvent, cancellationToken);
            _sequence++;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
