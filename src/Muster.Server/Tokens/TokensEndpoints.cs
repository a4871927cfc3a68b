using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;
using Muster.Server.Amp;
using Muster.Server.Caching;
using Muster.Server.Hosting;

namespace Muster.Server.Tokens;

/// <summary>
/// <c>/api/tokens</c>: create, list and revoke bearer tokens. Only a token that may manage tokens (an organization token
/// with <c>manage_tokens</c> that covers every crew) gets in; any other gets 403, not 404, because token management is not a
/// per-run resource whose existence needs hiding: the caller should learn that its token cannot do this.
/// </summary>
internal static class TokensEndpoints
{
    public static IEndpointRouteBuilder MapMusterTokens(this IEndpointRouteBuilder app)
    {
        MusterFeatures.Require(app, nameof(MapMusterTokens), MusterFeatures.Muster);
        var group = app.MapGroup("/api/tokens").WithTags("Tokens").RequireAuthorization(BearerTokenHandler.TokenManagerPolicy);
        group.MapPost("/", Create).WithName("CreateToken").WithSummary("Create a token (the secret is shown once)")
            .Accepts<CreateTokenRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden);
        group.MapGet("/", List).WithName("ListTokens").WithSummary("List tokens (never their secrets)")
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden);
        group.MapDelete("/{id}", Revoke).WithName("RevokeToken").WithSummary("Revoke a token")
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<Created<CreatedTokenResponse>, UnprocessableEntity<ValidationErrorResponse>, JsonHttpResult<ErrorResponse>>> Create(
        HttpContext context, TokenService tokens, CancellationToken cancellationToken)
    {
        var (request, error) = await RequestBody.ReadJsonAsync(context.Request, MusterJsonContext.Default.CreateTokenRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        // The caller covers every crew and may manage tokens (the group's policy), so nothing it asks for is wider than itself.
        var (token, problems) = TokenRules.Check(request!);
        if (token is null)
        {
            return TypedResults.UnprocessableEntity(new ValidationErrorResponse(problems));
        }

        var (secret, record) = await tokens.CreateAsync(token, cancellationToken);
        return TypedResults.Created($"/api/tokens/{record.Id}", new CreatedTokenResponse { Token = secret, Info = TokenInfos.From(record) });
    }

    private static async Task<Ok<IReadOnlyList<TokenInfo>>> List(TokenService tokens, CancellationToken cancellationToken)
    {
        var all = await tokens.ListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<TokenInfo>>([.. all.Select(TokenInfos.From)]);
    }

    private static async Task<Results<NoContent, JsonHttpResult<ErrorResponse>>> Revoke(
        string id, TokenService tokens, CacheInvalidator caches, CancellationToken cancellationToken)
    {
        var revoked = await tokens.RevokeAsync(id, cancellationToken);

        // Also when it was already revoked: if that was done straight in the database (the CLI against the store), no node
        // heard of it, and this makes every node forget the token now rather than when its cache entry expires.
        await caches.TokenRevokedAsync(id, cancellationToken);
        return revoked
            ? TypedResults.NoContent()
            : AmpErrors.Error(StatusCodes.Status404NotFound, "Token not found", "No active token has this id.");
    }
}
