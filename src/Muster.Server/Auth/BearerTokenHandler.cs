using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Contracts.Amp;

namespace Muster.Server.Auth;

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
    public const string OrganizationPolicy = "organization";
    public const string KindClaim = "muster:kind";

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
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteAsync(StatusCodes.Status401Unauthorized, new ErrorResponse { Error = "Unauthorized", Message = "Invalid or missing bearer token" });

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteAsync(StatusCodes.Status403Forbidden, new ErrorResponse { Error = "Forbidden", Message = "This operation needs an organization token" });

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
