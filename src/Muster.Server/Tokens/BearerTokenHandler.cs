using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Contracts.Amp;

namespace Muster.Server.Tokens;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the token store (through <see cref="PrincipalCache"/>)
/// and answers failures with the AMP error body. The <see cref="MusterPrincipal"/> travels in <see cref="HttpContext.Items"/>.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    PrincipalCache principals) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Bearer";
    /// <summary>The policy of <c>/api/tokens</c>: <see cref="MusterPrincipal.MayManageTokens"/>.</summary>
    public const string TokenManagerPolicy = "manage-tokens";
    public const string KindClaim = "muster:kind";
    public const string ManageTokensClaim = "muster:manage_tokens";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var secret = header[bearer.Length..].Trim();
        if (secret.Length is 0 or > 512)
        {
            return AuthenticateResult.Fail("Malformed bearer token.");
        }

        var principal = await principals.AuthenticateAsync(secret, Context.RequestAborted);
        if (principal is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked bearer token.");
        }

        Context.Items[typeof(MusterPrincipal)] = principal;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, principal.OwnerId),
                new Claim(KindClaim, principal.IsOrganization ? "org" : "user"),
                new Claim(ManageTokensClaim, principal.MayManageTokens ? "true" : "false"),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteAsync(StatusCodes.Status401Unauthorized, new ErrorResponse { Error = "Unauthorized", Message = "Invalid or missing bearer token" });

    // The token manager policy is the only one a token can fail; every other route is open to any valid token.
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteAsync(StatusCodes.Status403Forbidden, new ErrorResponse
        {
            Error = "Forbidden",
            Message = "Managing tokens needs an organization token with manage_tokens that covers every crew",
        });

    private Task WriteAsync(int statusCode, ErrorResponse body)
    {
        Response.StatusCode = statusCode;
        if (statusCode == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }

        return Response.WriteAsJsonAsync(body, MusterJsonContext.Default.ErrorResponse);
    }
}
