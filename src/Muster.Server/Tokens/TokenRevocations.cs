using System.Collections.Concurrent;

namespace Muster.Server.Tokens;

/// <summary>
/// Ends what a token keeps open when it is revoked, here or on another node: a live stream (the console's pages, a run's
/// events) was authenticated once, at its start, so without this it would go on showing runs to a revoked token for as
/// long as it stays connected. <see cref="Caching.CacheInvalidator"/> tells it of every revocation it hears of.
/// </summary>
internal sealed class TokenRevocations
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _watched = new(StringComparer.Ordinal);

    // Revoked since this node started: a stream that registers just after its token's revocation was announced ends at once.
    // A revoked id is never used again, and revocations are rare, so the set stays small.
    private readonly HashSet<string> _revoked = new(StringComparer.Ordinal);

    /// <summary>A token cancelled when <paramref name="tokenId"/> is revoked (already cancelled if it was).</summary>
    public CancellationToken WhenRevoked(string tokenId)
    {
        lock (_gate)
        {
            return _revoked.Contains(tokenId) ? new CancellationToken(canceled: true) : _watched.GetOrAdd(tokenId, _ => new()).Token;
        }
    }

    /// <summary><paramref name="tokenId"/> was revoked: what it keeps open ends.</summary>
    public void Revoked(string tokenId)
    {
        CancellationTokenSource? watched;
        lock (_gate)
        {
            _revoked.Add(tokenId);
            _watched.TryRemove(tokenId, out watched);
        }

        // Not disposed: a stream may still be linking to its token, and a source without a timer holds nothing to free.
        watched?.Cancel();
    }

    /// <summary>Whether any stream is open that a revocation would end (so that a missed revocation is worth looking for).</summary>
    public bool AnyWatched => !_watched.IsEmpty;
}
