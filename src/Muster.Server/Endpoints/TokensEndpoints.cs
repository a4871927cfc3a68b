using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;
using Muster.Server.Auth;
using Muster.Server.Caching;
using Muster.Storage;

namespace Muster.Server.Endpoints;

/// <summary>
/// <c>/api/tokens</c>: create, list and revoke bearer tokens. Organization tokens only: a user token gets 403, not 404,
/// because token management is not a per-run resource whose existence needs hiding; the caller should learn that its
/// kind of token cannot do this.
/// </summary>
internal static class TokensEndpoints
{
    private const int MaxCrews = 100;
    private const int MaxTextLength = 200;

    public static IEndpointRouteBuilder MapMusterTokens(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tokens").WithTags("Tokens").RequireAuthorization(BearerTokenHandler.OrganizationPolicy);
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

        var problems = Validate(request!, out var kind);
        if (problems.Count > 0)
        {
            return TypedResults.UnprocessableEntity(new ValidationErrorResponse(problems));
        }

        var (secret, record) = await tokens.CreateAsync(kind, request!.UserId, request.Crews ?? [], request.Name, cancellationToken);
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

    private static List<FieldError> Validate(CreateTokenRequest request, out TokenKind kind)
    {
        var problems = new List<FieldError>();
        kind = request.Kind switch
        {
            "org" or "organization" => TokenKind.Organization,
            "user" => TokenKind.User,
            _ => TokenKind.Organization,
        };
        if (request.Kind is not ("org" or "organization" or "user"))
        {
            problems.Add(new FieldError("body.kind", "kind must be 'org' or 'user'"));
        }

        if (kind == TokenKind.User && string.IsNullOrWhiteSpace(request.UserId))
        {
            problems.Add(new FieldError("body.user_id", "a user token needs user_id"));
        }

        if (request.UserId is { Length: > MaxTextLength } || request.Name is { Length: > MaxTextLength })
        {
            problems.Add(new FieldError("body", $"user_id and name are at most {MaxTextLength} characters"));
        }

        if (request.Crews is { } crews && (crews.Count > MaxCrews || crews.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > MaxTextLength)))
        {
            problems.Add(new FieldError("body.crews", "crews must be crew names"));
        }

        return problems;
    }
}
