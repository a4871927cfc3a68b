using Muster.Server.Amp;
using Muster.Server.Tokens;
using Muster.Storage.Notifications;

namespace Muster.Server.Caching;

/// <summary>
/// Keeps this node's caches honest. What this node changes (a token revoked, a run deleted, runs purged) is forgotten here
/// before the change is answered, so the very next request sees it, and announced to the other nodes on the bus; what
/// other nodes announce is forgotten as it arrives, and everything when the bus says some announcements may have been missed.
/// </summary>
internal sealed class CacheInvalidator(PrincipalCache principals, RunStatusReader statuses, ICacheInvalidations invalidations) : BackgroundService
{
    public ValueTask TokenRevokedAsync(string tokenId, CancellationToken cancellationToken) =>
        InvalidateAsync(CacheInvalidation.Token(tokenId), cancellationToken);

    public ValueTask RunDeletedAsync(Guid runId, CancellationToken cancellationToken) =>
        InvalidateAsync(CacheInvalidation.Run(runId), cancellationToken);

    /// <summary>
    /// After a retention purge: every node forgets all its finished runs. One message instead of one per purged run, and
    /// purges are rare (every <c>Muster:Retention:Interval</c>, an hour by default), so refilling the cache costs little.
    /// </summary>
    public ValueTask RunsPurgedAsync(CancellationToken cancellationToken) =>
        InvalidateAsync(CacheInvalidation.AllRuns, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var invalidation in invalidations.ReadInvalidationsAsync(stoppingToken))
            {
                Apply(invalidation);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the caches go with the node.
        }
    }

    private ValueTask InvalidateAsync(CacheInvalidation invalidation, CancellationToken cancellationToken)
    {
        Apply(invalidation);
        return invalidations.InvalidateAsync(invalidation, cancellationToken);
    }

    private void Apply(CacheInvalidation invalidation)
    {
        switch (invalidation.Kind)
        {
            case CacheInvalidationKind.Token:
                principals.Evict(invalidation.Id!);
                break;
            case CacheInvalidationKind.Run when Guid.TryParseExact(invalidation.Id, "N", out var runId):
                statuses.Forget(runId);
                break;
            case CacheInvalidationKind.AllRuns:
                statuses.ForgetAll();
                break;
            case CacheInvalidationKind.Everything:
                principals.Clear();
                statuses.ForgetAll();
                break;
        }
    }
}
