using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Muster.Storage;

namespace Muster.Server.Tokens;

/// <summary>
/// Issues and checks bearer tokens. A token is <c>mst_</c> + 32 random bytes (base64url); only its SHA-256 hash is stored,
/// and the secret is returned once, at creation. Token ids are random too: they are shown (in <c>/api/tokens</c>, and in
/// the <c>owner_id</c> of an organization token's runs), so they must tell nothing about the secret.
/// </summary>
public sealed class TokenService(ITokenStore tokens, TimeProvider time)
{
    public const string Prefix = "mst_";

    /// <summary>How every bootstrap token's id starts (the rest is random).</summary>
    internal const string BootstrapIdPrefix = "tok_bootstrap_";

    /// <summary>Creates a token; the returned secret is never stored or shown again.</summary>
    public async Task<(string Secret, TokenRecord Record)> CreateAsync(NewToken token, CancellationToken cancellationToken)
    {
        var secret = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var record = new TokenRecord
        {
            Id = "tok_" + RandomHex(),
            Hash = Hash(secret),
            Kind = token.Kind,
            UserId = token.Kind == TokenKind.User ? token.UserId : null,
            Crews = token.Crews,
            Name = token.Name,
            ManageTokens = token.ManageTokens,
            StatusShape = token.StatusShape,
            CreatedAt = time.GetUtcNow(),
            Limits = token.Limits,
        };
        await tokens.CreateTokenAsync(record, cancellationToken);
        return (secret, record);
    }

    /// <summary>
    /// Stores <paramref name="secret"/> as an organization token that may manage tokens, unless it is already stored
    /// (idempotent across restarts).
    /// </summary>
    public async Task EnsureBootstrapTokenAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = Hash(secret);
        if (await tokens.FindTokenByHashAsync(hash, cancellationToken) is not null)
        {
            return;
        }

        try
        {
            await tokens.CreateTokenAsync(
                new TokenRecord
                {
                    Id = BootstrapIdPrefix + RandomHex(),
                    Hash = hash,
                    Kind = TokenKind.Organization,
                    Name = "bootstrap",
                    ManageTokens = true,
                    CreatedAt = time.GetUtcNow(),
                },
                cancellationToken);
        }
        catch (DbException)
        {
            // Another node starting at the same moment stored the row first (the hash is unique): that is the outcome wanted.
            if (await tokens.FindTokenByHashAsync(hash, cancellationToken) is null)
            {
                throw;
            }
        }
    }

    /// <summary>
    /// Gives every token whose id was derived from its hash (bootstrap tokens stored before ids were random:
    /// <c>tok_bootstrap_</c> and the hash's first 12 hex digits) a random id, together with its runs' <c>owner_id</c> and
    /// <c>token_id</c>, so that the old id no longer helps anyone guess the secret. Returns how many it renamed; a token
    /// another node renamed meanwhile is not counted.
    /// </summary>
    public async Task<int> ReplaceDerivedIdsAsync(CancellationToken cancellationToken)
    {
        var renamed = 0;
        foreach (var token in await tokens.ListTokensAsync(cancellationToken))
        {
            if (IsDerivedId(token) && await tokens.ReplaceTokenIdAsync(token.Id, BootstrapIdPrefix + RandomHex(), cancellationToken))
            {
                renamed++;
            }
        }

        return renamed;
    }

    /// <summary>The principal of a presented secret, or null when it is unknown or revoked.</summary>
    public Task<MusterPrincipal?> AuthenticateAsync(string secret, CancellationToken cancellationToken) =>
        AuthenticateHashAsync(Hash(secret), cancellationToken);

    /// <summary>
    /// The principal of the token whose <see cref="Hash"/> is <paramref name="hash"/>, or null when it is unknown or revoked,
    /// or a user token whose user id lies in the organization owners' namespace (one stored before such ids were refused:
    /// it could act on an organization token's runs).
    /// </summary>
    public async Task<MusterPrincipal?> AuthenticateHashAsync(string hash, CancellationToken cancellationToken)
    {
        var record = await tokens.FindTokenByHashAsync(hash, cancellationToken);

        // The lookup is by hash, so timing reveals nothing about the secret; the fixed-time comparison guards
        // against a store whose lookup is looser than an exact match.
        if (record is null || record.RevokedAt is not null ||
            !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(record.Hash)) ||
            (record.Kind == TokenKind.User && (record.UserId is null || TokenRules.IsReservedUserId(record.UserId))))
        {
            return null;
        }

        return new MusterPrincipal(record.Id, record.Kind, record.UserId, record.Crews, record.ManageTokens, record.StatusShape) { Limits = record.Limits };
    }

    public Task<IReadOnlyList<TokenRecord>> ListAsync(CancellationToken cancellationToken) => tokens.ListTokensAsync(cancellationToken);

    public Task<bool> RevokeAsync(string tokenId, CancellationToken cancellationToken) =>
        tokens.RevokeTokenAsync(tokenId, time.GetUtcNow(), cancellationToken);

    /// <summary>Lower-case hex SHA-256 of the whole token string.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static bool IsDerivedId(TokenRecord token) =>
        token.Hash.Length >= 12 && string.Equals(token.Id, BootstrapIdPrefix + token.Hash[..12], StringComparison.Ordinal);

    private static string RandomHex() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
