using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Muster.Core.Engine;

namespace Muster.Storage.Notifications;

/// <summary>
/// Event signals within one node, in memory. Per-run subscribers get the committed sequence numbers; a slow subscriber
/// drops old signals, which is safe because readers re-read the store from their last sequence.
/// </summary>
internal sealed class InProcessRunEventSignals : IRunEventSignals
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Channel<long>, byte>> _subscribers = new();

    public ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        Notify(runEvent.RunId, runEvent.Sequence);
        return ValueTask.CompletedTask;
    }

    /// <summary>Tells this node's subscribers of <paramref name="runId"/> that <paramref name="sequence"/> was committed.</summary>
    public void Notify(Guid runId, long sequence)
    {
        if (_subscribers.TryGetValue(runId, out var channels))
        {
            foreach (var channel in channels.Keys)
            {
                channel.Writer.TryWrite(sequence);
            }
        }
    }

    /// <summary>Tells every subscriber to read the store again (signals may have been lost); the sequence given is 0.</summary>
    public void NudgeSubscribers()
    {
        foreach (var channels in _subscribers.Values)
        {
            foreach (var channel in channels.Keys)
            {
                channel.Writer.TryWrite(0);
            }
        }
    }

    public async IAsyncEnumerable<long> SubscribeAsync(Guid runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<long>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var channels = _subscribers.GetOrAdd(runId, _ => new ConcurrentDictionary<Channel<long>, byte>());
        channels.TryAdd(channel, 0);
        try
        {
            await foreach (var sequence in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return sequence;
            }
        }
        finally
        {
            channels.TryRemove(channel, out _);
            if (channels.IsEmpty)
            {
                _subscribers.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Channel<long>, byte>>(runId, channels));
            }
        }
    }
}

/// <summary>Wake-ups of this node's scheduler, in memory.</summary>
internal sealed class InProcessSchedulerWakeUps : ISchedulerWakeUps
{
    // Capacity one and dropped writes: any number of wake-ups before the scheduler looks collapse into one.
    private readonly Channel<bool> _wakeUps = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public ValueTask WakeSchedulersAsync(CancellationToken cancellationToken)
    {
        _wakeUps.Writer.TryWrite(true);
        return ValueTask.CompletedTask;
    }

    public async ValueTask WaitForWakeUpAsync(CancellationToken cancellationToken)
    {
        await _wakeUps.Reader.ReadAsync(cancellationToken);
    }
}

/// <summary>Stop signals for this node's scheduler, in memory.</summary>
internal sealed class InProcessStopSignals : IRunStopSignals
{
    private readonly Channel<RunStopSignal> _stops = Channel.CreateUnbounded<RunStopSignal>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask SignalStopAsync(Guid runId, string? reason, CancellationToken cancellationToken)
    {
        _stops.Writer.TryWrite(new RunStopSignal(runId, reason));
        return ValueTask.CompletedTask;
    }

    public IAsyncEnumerable<RunStopSignal> ReadStopSignalsAsync(CancellationToken cancellationToken) =>
        _stops.Reader.ReadAllAsync(cancellationToken);
}

/// <summary>Invalidations for this node's caches, in memory.</summary>
internal sealed class InProcessCacheInvalidations : ICacheInvalidations
{
    // Unbounded: a dropped invalidation would leave a stale entry until it expires; the reader only removes dictionary entries.
    private readonly Channel<CacheInvalidation> _invalidations = Channel.CreateUnbounded<CacheInvalidation>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask InvalidateAsync(CacheInvalidation invalidation, CancellationToken cancellationToken)
    {
        _invalidations.Writer.TryWrite(invalidation);
        return ValueTask.CompletedTask;
    }

    public IAsyncEnumerable<CacheInvalidation> ReadInvalidationsAsync(CancellationToken cancellationToken) =>
        _invalidations.Reader.ReadAllAsync(cancellationToken);
}

/// <summary>SQLite has no channel between processes: a node forgets what another process changed when its entry expires.</summary>
internal sealed class NoStoreChangeAnnouncer : IStoreChangeAnnouncer
{
    public ValueTask<bool> AnnounceAsync(CacheInvalidation invalidation, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
