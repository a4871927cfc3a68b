using Muster.Server.Tokens;

namespace Muster.Server.Protocols.Mcp;

/// <summary>
/// Ends an MCP GET stream (a session's stream of server-initiated messages, in the session-based protocol) when the token
/// that opened it is revoked, here or on another node. The SDK holds that stream open until its request is aborted, and
/// then ends it cleanly: for this stream a revocation is that abort. The session's other requests need no such thing; each
/// comes with the token again, and a revoked token's is refused (401).
/// </summary>
internal static class McpSessionStreams
{
    /// <summary>An endpoint convention for <c>MapMcp</c>'s endpoints.</summary>
    public static void EndWhenRevoked(EndpointBuilder endpoint)
    {
        if (endpoint.RequestDelegate is { } next)
        {
            endpoint.RequestDelegate = context =>
                HttpMethods.IsGet(context.Request.Method) && context.Items[typeof(MusterPrincipal)] is MusterPrincipal principal
                    ? StreamAsync(context, principal, next)
                    : next(context);
        }
    }

    private static async Task StreamAsync(HttpContext context, MusterPrincipal principal, RequestDelegate next)
    {
        var revoked = context.RequestServices.GetRequiredService<TokenRevocations>().WhenRevoked(principal.TokenId);
        var aborted = context.RequestAborted;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(aborted, revoked);
        context.RequestAborted = ending.Token;
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestAborted = aborted;
        }
    }
}
