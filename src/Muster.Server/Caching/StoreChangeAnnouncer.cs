using Muster.Server.Execution;
using Muster.Storage;

namespace Muster.Server.Caching;

/// <summary>
/// For a process that changes the store without being a node (the CLI's <c>--store</c> commands): tells the running
/// nodes to forget what their caches hold of the change. On PostgreSQL every node listening on the database forgets at
/// once. SQLite has no channel between processes, so a node there forgets only when its cache entry expires
/// (<c>Muster:Auth:TokenCacheSeconds</c> for a token).
/// </summary>
public static class StoreChangeAnnouncer
{
    /// <summary>Announces a revoked token; false when the store has no way to reach the nodes (SQLite).</summary>
    public static async Task<bool> TokenRevokedAsync(StorageOptions storage, string tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (!StorageOptions.IsPostgres(storage.Provider))
        {
            return false;
        }

        await PostgresRunEventBus.AnnounceAsync(storage.ConnectionString, CacheInvalidation.Token(tokenId), cancellationToken);
        return true;
    }
}
