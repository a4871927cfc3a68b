using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Muster.Server.Tokens;

namespace Muster.Server.Console;

/// <summary>
/// Console sign-in. The cookie holds the token's SHA-256 hash and the session's end, sealed (encrypted and authenticated)
/// by Data Protection: never the token, and nothing a reader of the cookie or of the database can turn into one. Every
/// request looks the hash up in the token store, so a revoked token's sessions end at its next request on any node, and
/// the sealed end time makes a session expire whatever the browser keeps.
/// </summary>
internal sealed class ConsoleSessions(
    IDataProtectionProvider protection, ConsoleBackend backend, IOptions<ConsoleOptions> options, TimeProvider time)
{
    public const string CookieName = "muster_session";
    public const string CookiePath = "/ui";
    private const string AuthenticationType = "MusterConsole";

    private readonly IDataProtector _protector = protection.CreateProtector("Muster.Console.Session.v1");

    /// <summary>Checks a presented token and, when it is valid, starts a session for it.</summary>
    public async Task<MusterPrincipal?> SignInAsync(HttpContext context, string token)
    {
        var trimmed = token.Trim();
        if (trimmed.Length is 0 or > 512)
        {
            return null;
        }

        var principal = await backend.AuthenticateAsync(trimmed, context.RequestAborted);
        if (principal is null)
        {
            return null;
        }

        var ends = time.GetUtcNow() + options.Value.SessionLifetime;
        var sealedValue = _protector.Protect($"{Tokens.TokenService.Hash(trimmed)}|{ends.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}");
        context.Response.Cookies.Append(CookieName, sealedValue, Cookie(context, ends));
        return principal;
    }

    public static void SignOut(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, Cookie(context, DateTimeOffset.UnixEpoch));

    /// <summary>The signed-in principal and when its session ends; null without a valid, unexpired session of a live token.</summary>
    public async Task<ConsoleSession?> AuthenticateAsync(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var sealedValue) || string.IsNullOrEmpty(sealedValue))
        {
            return null;
        }

        string payload;
        try
        {
            payload = _protector.Unprotect(sealedValue);
        }
        catch (CryptographicException)
        {
            // Tampered with, or sealed by keys this node does not have (see ConsoleOptions.KeysPath): not a session.
            return null;
        }

        var parts = payload.Split('|');
        if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var endsSeconds))
        {
            return null;
        }

        var ends = DateTimeOffset.FromUnixTimeSeconds(endsSeconds);
        if (ends <= time.GetUtcNow())
        {
            return null;
        }

        var principal = await backend.AuthenticateHashAsync(parts[0], context.RequestAborted);
        if (principal is null)
        {
            return null;
        }

        // Anti-forgery tokens are bound to this identity, so a token minted for one session does not serve another.
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, principal.TokenId)], AuthenticationType));
        return new ConsoleSession(principal, ends);
    }

    private static CookieOptions Cookie(HttpContext context, DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = CookiePath,
        Expires = expires,
        IsEssential = true,
    };
}

/// <summary>A signed-in viewer: the token's principal, and when the session ends.</summary>
internal sealed record ConsoleSession(MusterPrincipal Principal, DateTimeOffset Ends);
