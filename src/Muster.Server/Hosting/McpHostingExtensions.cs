using Muster.Core.Net;
using Muster.Server.Hosting;
using Muster.Tools.Mcp;

namespace Microsoft.Extensions.DependencyInjection;

public static class McpHostingExtensions
{
    /// <summary>
    /// MCP tools on the server: <c>Muster:Mcp</c> bound and validated at start, and the MCP client of ad-hoc crews given
    /// the webhooks' SSRF guard (public addresses only, checked on the address actually connected to; no redirects, no proxy).
    /// Call after <c>AddWebhooks()</c>, which registers the guard.
    /// </summary>
    public static MusterBuilder AddMcp(this MusterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddMusterMcpTools();
        services.AddOptionsWithValidateOnStart<McpOptions>()
            .BindConfiguration(McpOptions.Section)
            .ValidateDataAnnotations();
        services.AddHttpClient(McpToolSource.GuardedHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<GuardedConnector>().ConnectAsync,
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
            });
        return builder.Added(MusterFeatures.Mcp);
    }
}
