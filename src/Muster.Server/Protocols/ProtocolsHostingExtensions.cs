using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using Muster.Server.Hosting;
using Muster.Server.Protocols;
using Muster.Server.Protocols.A2a;
using Muster.Server.Protocols.AgUi;
using Muster.Server.Protocols.Mcp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Every crew on the agent protocols: MCP at <c>/mcp</c>, A2A at <c>/crews/{crew}/a2a</c>, AG-UI at <c>/crews/{crew}/agui</c>, over the run service and the run event stream.</summary>
public static class ProtocolsHostingExtensions
{
    /// <summary>The protocol adapters' services, the MCP server among them.</summary>
    public static MusterBuilder AddProtocols(this MusterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddHttpContextAccessor();
        services.AddOptionsWithValidateOnStart<ProtocolOptions>()
            .BindConfiguration(ProtocolOptions.Section)
            .ValidateDataAnnotations();
        services.AddSingleton<ProtocolRuns>();
        services.AddSingleton<McpCancellations>();
        services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "muster", Version = typeof(ProtocolRuns).Assembly.GetName().Version?.ToString() ?? "1.0" };
                options.ServerInstructions = "Each tool named after a crew runs that crew and answers with its output. "
                    + "A run that pauses for human review answers with its run id; resume it with resume_run.";
            })
            .WithHttpTransport()
            .WithListToolsHandler(McpCrewTools.ListAsync)
            .WithCallToolHandler(McpCrewTools.CallAsync)
            .WithMessageFilters(filters => filters.AddIncomingFilter(McpCancellations.Filter));
        services.AddOptions<HttpServerTransportOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<ProtocolOptions>>((transport, protocols) =>
                transport.SessionMode = protocols.Value.McpStateless ? HttpServerSessionMode.Stateless : HttpServerSessionMode.StatefulForInitializeClients);
        return builder.Added(MusterFeatures.Protocols);
    }

    /// <summary>Maps <c>/mcp</c> (Streamable HTTP; bearer tokens as everywhere else).</summary>
    public static WebApplication MapMusterProtocols(this WebApplication app)
    {
        MusterFeatures.Require(app, nameof(MapMusterProtocols), MusterFeatures.Muster, MusterFeatures.CrewRuns, MusterFeatures.Webhooks, MusterFeatures.Protocols);

        app.MapMcp("/mcp").Add(McpSessionStreams.EndWhenRevoked);
        A2aEndpoints.Map(app);
        AgUiEndpoints.Map(app);
        return app;
    }
}
