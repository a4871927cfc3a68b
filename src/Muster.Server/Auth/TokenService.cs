using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Muster.Storage;

namespace Muster.Server.Auth;

/// <summary>
/// Issues and checks bearer tokens. A token is <c>mst_</c> + 32 random bytes (base64url); only its SHA-256 hash is stored,
/// and the secret is returned once, at creation.
/// </summary>
public sealed class TokenService(ITokenStore tokens, TimeProvider time)
{
    public const string Prefix = "mst_";

    /// <summary>Creates a token; the returned secret is never stored or shown again.</summary>
    public async Task<(string Secret, TokenRecord Record)> CreateAsync(
        TokenKind kind, string? userId, IReadOnlyList<string> crews, string? name, CancellationToken cancellationToken)
    {
        var secret = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var record = new TokenRecord
        {
            Id = "tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Hash = Hash(secret),
            Kind = kind,
            UserId = kind == TokenKind.User ? userId : null,
            Crews = crews,
            Name = name,
            CreatedAt = time.GetUtcNow(),
        };
        await tokens.CreateTokenAsync(record, cancellationToken);
        return (secret, record);
    }

    /// <summary>Stores <paramref name="secret"/> as an organization token unless it is already stored (idempotent across restarts).</summary>
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
                    // Derived from the hash so that two nodes starting at once store the same row, not two.
                    Id = "tok_bootstrap_" + hash[..12],
                    Hash = hash,
                    Kind = TokenKind.Organization,
                    Name = "bootstrap",
                    CreatedAt = time.GetUtcNow(),
                },
                cancellationToken);
        }
        catch (DbException)
        {
            // Another node starting at the same moment stored the row first: that is the outcome wanted.
            if (await tokens.FindTokenByHashAsync(hash, cancellationToken) is null)
            {
                throw;
            }
        }
    }

    /// <summary>The principal of a presented secret, or null when it is unknown or revoked.</summary>
    public Task<MusterPrincipal?> AuthenticateAsync(string secret, CancellationToken cancellationToken) =>
        AuthenticateHashAsync(Hash(secret), cancellationToken);

    /// <summary>The principal of the token whose <see cref="Hash"/> is <paramref name="hash"/>, or null when it is unknown or revoked.</summary>
    public async Task<MusterPrincipal?> AuthenticateHashAsync(string hash, CancellationToken cancellationToken)
    {
        var record = await tokens.FindTokenByHashAsync(hash, cancellationToken);

        // The lookup is by hash, so timing reveals nothing about the secret; the fixed-time comparison guards
        // against a store whose lookup is looser than an exact match.
        if (record is null || record.RevokedAt is not null ||
            !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(record.Hash)))
        {
            return null;
        }

        return new MusterPrincipal(record.Id, record.Kind, record.UserId, record.Crews);
    }

    public Task<IReadOnlyList<TokenRecord>> ListAsync(CancellationToken cancellationToken) => tokens.ListTokensAsync(cancellationToken);

    public Task<bool> RevokeAsync(string tokenId, CancellationToken cancellationToken) =>
        tokens.RevokeTokenAsync(tokenId, time.GetUtcNow(), cancellationToken);

    /// <summary>Lower-case hex SHA-256 of the whole token string.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
