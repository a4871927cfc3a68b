using System.Text;
using Muster.Core.Crews;

namespace Muster.Core.Engine;

/// <summary>A run would record more than <see cref="CrewEngineOptions.MaxRunBytes"/>: the event was not emitted.</summary>
public sealed class RunLimitExceededException(long limit, long recorded, long eventBytes) : Exception(
    $"The run would record more than its limit of {limit:N0} bytes (Muster:Limits:MaxRunBytes): it has recorded {recorded:N0} bytes " +
    $"(inputs and events) and its next event takes {eventBytes:N0}.");

/// <summary>
/// Numbers a run's events from the checkpoint on and sends them to the sink, one at a time, in order. Safe to call
/// from tasks running concurrently (async_execution, parallel tool calls): each event is numbered and recorded
/// before the next one is, so the sink always sees one gap-free run-wide sequence. With a limit it counts what the run
/// records (the events' data as JSON) and refuses an event that would go past it, unless the event reports a failure.
/// A sink that fails ends the engine's work on the run with a <see cref="RunSinkException"/>.
/// </summary>
/// <param name="runId">The run.</param>
/// <param name="checkpoint">Where the run is: its last sequence, and what it recorded.</param>
/// <param name="maxRunBytes">The most the run may record; null: no limit.</param>
/// <param name="inputs">The run's long inputs, which the store keeps out of each event: they are counted as it stores them.</param>
/// <param name="sink">Where the events go.</param>
/// <param name="timeProvider">The events' clock.</param>
/// <param name="cancellationToken">The run's: once cancelled, nothing more is published.</param>
internal sealed class RunEventWriter(
    Guid runId, RunCheckpoint checkpoint, long? maxRunBytes, InputTexts inputs, IRunSink sink, TimeProvider timeProvider, CancellationToken cancellationToken) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Without long inputs to pack, an event is measured as written, not as a string (JsonSize).
    private readonly bool _measureWritten = inputs.IsEmpty;
    private long _sequence = checkpoint.LastSequence;
    private long _recorded = checkpoint.RecordedBytes;

    public Guid RunId => runId;

    /// <summary><see cref="RunId"/> as text, made once: every span of the run carries it twice.</summary>
    public string RunIdText { get; } = runId.ToString();

    /// <summary>The run itself is cancelled (stopped or shut down): nothing more may be published.</summary>
    public bool RunCancelled => cancellationToken.IsCancellationRequested;

    public async ValueTask PublishAsync(RunEventData data)
    {
        // A cancelled run emits nothing more: the server decides whether it was a stop or a shutdown.
        cancellationToken.ThrowIfCancellationRequested();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var size = Measure(data);
            if (_recorded + size > maxRunBytes && !ReportsFailure(data))
            {
                throw new RunLimitExceededException(maxRunBytes.Value, _recorded, size);
            }

            var runEvent = new RunEvent
            {
                RunId = runId,
                Sequence = _sequence + 1,
                Timestamp = timeProvider.GetUtcNow(),
                Data = data,
            };
            try
            {
                await sink.PublishAsync(runEvent, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Marked, so that no catch on the way out mistakes it for the failure of an LLM call, a tool or a task.
                throw new RunSinkException(ex);
            }

            _sequence++;
            _recorded += size;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The bytes the store keeps of <paramref name="data"/>; 0 without a limit (nothing to count against).</summary>
    private long Measure(RunEventData data) => maxRunBytes is null ? 0
        : _measureWritten ? JsonSize.Of(data)
        : Encoding.UTF8.GetByteCount(inputs.Pack(RunEventJson.Serialize(data)));

    // A run that reached its limit must still be able to say so, and how its tasks ended.
    private static bool ReportsFailure(RunEventData data) => data is TaskFailed or AgentExecutionError or CrewKickoffFailed;
}
