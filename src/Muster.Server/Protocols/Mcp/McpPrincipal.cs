using ModelContextProtocol;
using ModelContextProtocol.Server;
using Muster.Server.Tokens;

namespace Muster.Server.Protocols.Mcp;

/// <summary>The caller of an MCP request: the principal the bearer token handler put on the HTTP request carrying it.</summary>
internal static class McpPrincipal
{
    public static MusterPrincipal Of<T>(RequestContext<T> context) =>
        context.Services?.GetService<IHttpContextAccessor>()?.HttpContext?.Items[typeof(MusterPrincipal)] as MusterPrincipal
        // Every MCP route requires a token, so this is only reached when the transport lost the request's context.
        ?? throw new McpProtocolException("The request carries no bearer token.", McpErrorCode.InvalidRequest);
}
