using Muster.Server.Amp;
using Muster.Server.Tokens;
using Muster.Storage;
using Muster.Storage.Notifications;

namespace Muster.Server.Caching;

/// <summary>
/// Keeps this node's caches honest. What this node changes (a token revoked, a run deleted, runs purged) is forgotten here
/// before the change is answered, so the very next request sees it, and announced to the other nodes on the bus; what
/// other nodes announce is forgotten as it arrives, and everything when the bus says some announcements may have been missed.
/// A revoked token's live streams end with its cache entry (<see cref="TokenRevocations"/>).
/// </summary>
internal sealed partial class CacheInvalidator(
    PrincipalCache principals, RunStatusReader statuses, TokenRevocations revocations, TokenService tokens, ICacheInvalidations invalidations,
    ILogger<CacheInvalidator> logger) : BackgroundService
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
                if (invalidation.Kind == CacheInvalidationKind.Everything)
                {
                    await EndStreamsOfRevokedTokensAsync(stoppingToken);
                }
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
                revocations.Revoked(invalidation.Id!);
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

    /// <summary>
    /// Some announcements may have been missed (the bus was cut, as when the database went away and came back): a token
    /// revoked meanwhile may still have live streams open here. The store says which tokens are revoked, and their streams
    /// end; the others go on, so that an outage cuts no one's stream. If the store cannot say now, the streams go on too.
    /// </summary>
    private async Task EndStreamsOfRevokedTokensAsync(CancellationToken cancellationToken)
    {
        if (!revocations.AnyWatched)
        {
            return;
        }

        try
        {
            foreach (var token in await tokens.ListAsync(cancellationToken))
            {
                if (token.RevokedAt is not null)
                {
                    revocations.Revoked(token.Id);
                }
            }
        }
        catch (StoreUnavailableException ex)
        {
            LogRevocationsNotChecked(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token revocations may have been missed and the store cannot say which tokens are revoked now: open live streams go on")]
    private static partial void LogRevocationsNotChecked(ILogger logger, Exception exception);
}
