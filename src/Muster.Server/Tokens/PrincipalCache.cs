using Microsoft.Extensions.Options;
using Muster.Server.Caching;
using Muster.Server.Hosting;

namespace Muster.Server.Tokens;

/// <summary>
/// Remembers the principal of a valid bearer token for <see cref="AuthOptions.TokenCacheSeconds"/>, keyed by the token's
/// SHA-256 hash (never the secret), so that repeated requests with one token skip the token store. Unknown and revoked
/// tokens are never remembered, so made-up tokens cannot fill it. A revocation through the API evicts the token here at
/// once and on the other nodes as soon as they hear of it (<see cref="CacheInvalidator"/>); the lifetime bounds how long a
/// revocation no server hears of (made straight in the database, e.g. by <c>muster tokens revoke</c> against the store)
/// can go unnoticed.
/// </summary>
internal sealed class PrincipalCache(TokenService tokens, IOptions<MusterOptions> options, TimeProvider time)
{
    /// <summary>At most this many tokens are remembered; more are looked up in the store each time until room frees up.</summary>
    public const int Capacity = 10_000;

    private readonly ExpiringCache<string, MusterPrincipal> _cache = new(
        Capacity, TimeSpan.FromSeconds(options.Value.Auth.TokenCacheSeconds), time);

    /// <summary>The principal of a presented secret, or null when it is unknown or revoked.</summary>
    public async ValueTask<MusterPrincipal?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = TokenService.Hash(secret);
        if (_cache.TryGet(hash, out var cached))
        {
            return cached;
        }

        var generation = _cache.Generation;
        var principal = await tokens.AuthenticateHashAsync(hash, cancellationToken);
        if (principal is not null)
        {
            _cache.TryAdd(hash, principal, generation);
        }

        return principal;
    }

    /// <summary>Forgets the token with this id (the cache is keyed by hash, so this scans it: revocations are rare).</summary>
    public void Evict(string tokenId) => _cache.RemoveWhere(principal => principal.TokenId == tokenId);

    public void Clear() => _cache.Clear();
}
