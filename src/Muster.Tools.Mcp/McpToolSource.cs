using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Muster.Core.Crews;
using Muster.Core.Tools;

namespace Muster.Tools.Mcp;

/// <summary>
/// Opens the per-run <see cref="McpSession"/> through which agents get their MCP tools. HTTP servers of trusted crews
/// are reached with the <see cref="HttpClientName"/> client; those of crews given through the API
/// (<see cref="CrewDefinition.AdHoc"/>) with <see cref="GuardedHttpClientName"/>, whose connections the host must
/// restrict (Muster's server gives it the webhooks' SSRF guard; until then it refuses every request).
/// </summary>
public sealed class McpToolSource(IHttpClientFactory httpClients, IOptions<McpOptions> options, ILoggerFactory loggerFactory) : IMcpToolSource
{
    /// <summary>The HTTP client for MCP servers of deployed (operator-trusted) crews and of <c>Muster:Mcp:Servers</c>.</summary>
    public const string HttpClientName = "Muster.Mcp";

    /// <summary>The HTTP client for MCP servers named by ad-hoc crews.</summary>
    public const string GuardedHttpClientName = "Muster.Mcp.Guarded";

    /// <summary>A session for one run of <paramref name="crew"/>; dispose it when the run ends to close its connections.</summary>
    public IMcpToolSession OpenSession(CrewDefinition crew) => new McpSession(
        options.Value.DefaultServers(),
        trusted => httpClients.CreateClient(trusted ? HttpClientName : GuardedHttpClientName),
        untrustedCrew: crew.AdHoc,
        TimeSpan.FromSeconds(options.Value.ConnectTimeoutSeconds),
        loggerFactory);
}
