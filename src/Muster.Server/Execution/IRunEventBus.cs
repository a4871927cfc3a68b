using Muster.Core.Engine;
using Muster.Server.Caching;

namespace Muster.Server.Execution;

/// <summary>
/// Fans out events after they commit, for live readers (SSE) and wake-ups. In-process on SQLite;
/// LISTEN/NOTIFY crosses nodes on PostgreSQL. Readers must treat it as a hint and read the store
/// from their last sequence, so a missed notification loses nothing.
/// </summary>
public interface IRunEventBus
{
    /// <summary>Announces that <paramref name="runEvent"/> was committed.</summary>
    ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken);

    /// <summary>Signals for events of one run; each item is the committed sequence, or 0 when signals may have been lost.</summary>
    IAsyncEnumerable<long> SubscribeAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>Asks the schedulers (on every node) to look for runnable runs, e.g. after kickoff or resume.</summary>
    ValueTask WakeSchedulersAsync(CancellationToken cancellationToken);

    /// <summary>Asks whichever node executes <paramref name="runId"/> to stop it.</summary>
    ValueTask SignalStopAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>Asks whichever node executes <paramref name="runId"/> to stop it, with the error the stopped run will show (who stopped it, when).</summary>
    ValueTask SignalStopAsync(Guid runId, string reason, CancellationToken cancellationToken);

    /// <summary>Completes when a wake-up arrives, or at once when one arrived since the last wait (wake-ups coalesce).</summary>
    ValueTask WaitForWakeUpAsync(CancellationToken cancellationToken);

    /// <summary>Stop signals addressed to this node's scheduler: run ids it should stop if it executes them.</summary>
    IAsyncEnumerable<RunStopSignal> ReadStopSignalsAsync(CancellationToken cancellationToken);

    /// <summary>Tells the caches of every node (this one too) to forget something: a revoked token, a deleted run.</summary>
    ValueTask InvalidateAsync(CacheInvalidation invalidation, CancellationToken cancellationToken);

    /// <summary>
    /// Invalidations addressed to this node's caches (one reader). <see cref="CacheInvalidation.Everything"/> arrives when
    /// some may have been missed.
    /// </summary>
    IAsyncEnumerable<CacheInvalidation> ReadInvalidationsAsync(CancellationToken cancellationToken);
}

/// <summary>A request to stop a run; <see cref="Reason"/> becomes the stopped run's error when given.</summary>
public sealed record RunStopSignal(Guid RunId, string? Reason);
