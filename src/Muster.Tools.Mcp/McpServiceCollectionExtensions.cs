using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Core.Tools;
using Muster.Tools.Mcp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MCP tools for the engine's agents.</summary>
public static class McpServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="McpToolSource"/> as the engine's <see cref="IMcpToolSource"/>, the validation of <see cref="McpOptions"/>
    /// (the host binds them) and the two MCP HTTP clients. The guarded one refuses every request until the host gives it a
    /// guarded handler.
    /// </summary>
    public static IServiceCollection AddMusterMcpTools(this IServiceCollection services)
    {
        services.AddOptions<McpOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpOptions>, McpOptionsValidator>());
        // Streams stay open for as long as a run uses the server; the connect timeout bounds the start instead.
        services.AddHttpClient(McpToolSource.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient(McpToolSource.GuardedHttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new RefusingHandler());
        services.TryAddSingleton<McpToolSource>();
        // Replaces the engine's own source, which starts no server, whether AddMusterCore came first or comes later.
        services.Replace(ServiceDescriptor.Singleton<IMcpToolSource>(provider => provider.GetRequiredService<McpToolSource>()));
        return services;
    }

    private sealed class RefusingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("MCP servers of ad-hoc crews need a network guard, and this host configures none.");
    }
}
