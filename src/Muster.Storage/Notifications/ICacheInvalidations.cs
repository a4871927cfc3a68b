namespace Muster.Storage.Notifications;

/// <summary>What the nodes' caches must forget (a revoked token, a deleted run), told to every node, this one too.</summary>
public interface ICacheInvalidations
{
    /// <summary>Tells the caches of every node (this one too) to forget <paramref name="invalidation"/>.</summary>
    ValueTask InvalidateAsync(CacheInvalidation invalidation, CancellationToken cancellationToken);

    /// <summary>
    /// Invalidations addressed to this node's caches (one reader). <see cref="CacheInvalidation.Everything"/> arrives when
    /// some may have been missed.
    /// </summary>
    IAsyncEnumerable<CacheInvalidation> ReadInvalidationsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// For a process that changes the store without being a node (the CLI's <c>--store</c> commands): tells the running nodes'
/// caches to forget what they hold of the change.
/// </summary>
public interface IStoreChangeAnnouncer
{
    /// <summary>
    /// Announces <paramref name="invalidation"/> to every node at once; false when the store has no way to reach them
    /// (SQLite), so that they forget only when their cache entry expires.
    /// </summary>
    ValueTask<bool> AnnounceAsync(CacheInvalidation invalidation, CancellationToken cancellationToken);
}
