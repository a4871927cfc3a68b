using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Muster.Server.Amp;
using Muster.Storage;

namespace Muster.Server.Runs;

/// <summary>
/// The runs this node executes, each with the run as its sink last stored it, so that polling the status of a run
/// executing here does not read the store (<see cref="RunStatusReader"/> says when it may). Only stored state is served:
/// while one of the run's writes is in flight the sink knows no stored state (the store may be ahead of it), and readers
/// fall back to the store.
/// </summary>
internal sealed class ExecutingRuns
{
    private readonly ConcurrentDictionary<Guid, StoreRunSink> _sinks = new();

    internal void Add(StoreRunSink sink) => _sinks[sink.Run.Id] = sink;

    internal void Remove(StoreRunSink sink) => _sinks.TryRemove(new KeyValuePair<Guid, StoreRunSink>(sink.Run.Id, sink));

    /// <summary>The run as stored, when it executes on this node and no write of it is in flight.</summary>
    public bool TryGetStored(Guid runId, [MaybeNullWhen(false)] out RunRecord run)
    {
        run = _sinks.TryGetValue(runId, out var sink) ? sink.Stored : null;
        return run is not null;
    }
}
