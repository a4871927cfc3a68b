using Microsoft.Extensions.Options;
using Muster.Server.Caching;
using Muster.Server.Hosting;
using Muster.Storage;

namespace Muster.Server.Execution;

/// <summary>
/// Finished runs with their task outputs, as the status endpoint reads them, so that polling a finished run does
/// not read the store each time. At most <see cref="ExecutionOptions.FinishedRunCacheSize"/> runs, each for at most
/// <see cref="Lifetime"/>. Callers still check ownership against the cached run on every read.
/// </summary>
/// <remarks>
/// Only a finished run may be cached, because nothing changes it in the store but its deletion. Every <c>UPDATE runs</c>
/// in SqlRunStore checks this: an event append (the only writer of state, result, error, usage and task results) comes
/// from the executing node with its lease as a fence (StoreRunSink), and the final event releases the lease, so no later
/// append matches; the one append without a fence, a stop, happens only to a pending or paused run under its row lock and
/// answers "already finished" otherwise, as the stop flag is set only on a running run; a resume only accepts an
/// awaiting-human run; a claim or lease renewal only touches pending or running runs. What remains is deletion
/// (DELETE /api/crew-runs/{id}, the retention purge), which <see cref="CacheInvalidator"/> forgets here and on every node
/// that hears of it; <see cref="Lifetime"/> bounds what a node that missed the news can serve.
/// </remarks>
public sealed class FinishedRunCache
{
    /// <summary>The longest a finished run is served from memory: the backstop for a deletion a node never heard of.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private readonly ExpiringCache<Guid, RunView> _cache;

    public FinishedRunCache(IOptions<MusterOptions> options, TimeProvider time) =>
        _cache = new ExpiringCache<Guid, RunView>(options.Value.Execution.FinishedRunCacheSize, Lifetime, time);

    internal long Generation => _cache.Generation;

    internal bool TryGet(Guid runId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out RunView view) => _cache.TryGet(runId, out view);

    /// <summary>Keeps <paramref name="view"/> if its run is finished and nothing was invalidated since <paramref name="generation"/>.</summary>
    internal void TryAdd(RunView view, long generation)
    {
        if (view.Run.State.IsFinished())
        {
            _cache.TryAdd(view.Run.Id, view, generation);
        }
    }

    internal void Evict(Guid runId) => _cache.Remove(runId);

    internal void Clear() => _cache.Clear();
}
