using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Engine;
using Muster.Server.Amp;
using Muster.Server.Caching;
using Muster.Server.Crews;
using Muster.Server.CrewRuns;
using Muster.Server.Telemetry;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The server itself, which Program.cs adds first; its optional features are added on the builder this returns.</summary>
public static class MusterServerExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// The server: its options (validated at start), logs without secrets, the default loopback URL, the request body limit,
    /// JSON for the wire contracts and the start-up work (server lock, store, bootstrap token, crews, warnings); the engine
    /// and its LLM providers (<c>Muster:Llm</c>, or the built-in simulator); the run store with the provider
    /// <c>Muster:Storage</c> names; bearer tokens; the crews; and the execution of runs. Registering opens nothing and
    /// throws nothing: a wrong setting fails at start, through the validation of its options.
    /// </summary>
    public static MusterBuilder AddMuster(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddMusterLogging();
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"]) &&
            !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            // Loopback unless told otherwise: a fresh install must not listen on the network.
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        AddHosting(services);
        AddEngine(services, configuration);
        services.AddMusterStorage(configuration.GetSection(StorageOptions.SectionName));
        AddAuth(services);
        services.TryAddSingleton<CrewCatalog>();
        AddExecution(services);
        return new MusterBuilder(services, configuration).Added(MusterFeatures.Muster);
    }

    private static void AddHosting(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<MusterOptions>()
            .BindConfiguration(MusterOptions.SectionName)
            .ValidateDataAnnotations();
        services.ConfigureOptions<RequestBodyLimitSetup>();
        services.ConfigureOptions<ShutdownTimeoutSetup>();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, MusterJsonContext.Default);
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            // Bodies are read by RequestBody with the source-generated context's strict options: "5" is not a number. The web
            // defaults would let the OpenAPI document promise that it is (every number also "a string matching a pattern").
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.AddMusterLogRedaction();
        // In this order: the server lock before anything touches the store, the warnings once store and crews are ready.
        services.AddHostedService<ServerLock>();
        services.AddHostedService<MusterStartup>();
        services.AddHostedService<StartupWarnings>();
        services.AddHostedService<StoreHealthLog>();
    }

    /// <summary>
    /// The engine, its LLM providers from <c>Muster:Llm</c> (pointed at the built-in simulator by <c>--simulated-llm</c>),
    /// and its options, set up in one place (<see cref="CrewEngineOptionsSetup"/>) and validated at start.
    /// </summary>
    private static void AddEngine(IServiceCollection services, IConfiguration configuration)
    {
        services.AddMusterCore().AddMusterLlm(configuration.GetSection("Muster:Llm"));
        services.AddMusterSimulatedLlm();
        // Muster:Llm:Prices (docs/COSTS.md), over the price file shipped with the server.
        services.AddOptionsWithValidateOnStart<LlmPriceOptions>()
            .BindConfiguration("Muster:Llm");
        services.AddOptionsWithValidateOnStart<OutputsOptions>()
            .BindConfiguration(OutputsOptions.Section);
        services.AddOptionsWithValidateOnStart<CrewEngineOptions>()
            .ValidateDataAnnotations();
        services.ConfigureOptions<CrewEngineOptionsSetup>();
    }

    /// <summary>
    /// Bearer tokens: the handler, the token service, the principal cache, and the policies (every route needs a token
    /// unless it says otherwise).
    /// </summary>
    private static void AddAuth(IServiceCollection services)
    {
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<TokenAllowances>();
        services.TryAddSingleton<PrincipalCache>();
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(BearerTokenHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(BearerTokenHandler.TokenManagerPolicy, policy => policy
                .AddAuthenticationSchemes(BearerTokenHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(BearerTokenHandler.ManageTokensClaim, "true"));
    }

    /// <summary>
    /// Runs: the run service, the caches and what keeps them honest, and the scheduler. Events, wake-ups and stop signals
    /// travel as the storage provider registered them (in memory, or between nodes). Until <c>AddWebhooks()</c> replaces
    /// it, events plan no deliveries.
    /// </summary>
    private static void AddExecution(IServiceCollection services)
    {
        services.TryAddSingleton<IDeliveryPlanner, NoDeliveryPlanner>();
        services.TryAddSingleton<RunService>();
        services.TryAddSingleton<RunStatusReader>();
        services.TryAddSingleton<ExecutingRuns>();
        services.TryAddSingleton<TokenRevocations>();
        services.TryAddSingleton<MusterMetrics>();
        services.TryAddSingleton<CacheInvalidator>();
        services.AddHostedService(provider => provider.GetRequiredService<CacheInvalidator>());
        services.TryAddSingleton(provider => new SchedulerIdentity(
            provider.GetRequiredService<IOptions<MusterOptions>>().Value.Execution.NodeId is { } nodeId && !string.IsNullOrWhiteSpace(nodeId)
                ? nodeId
                : $"{Environment.MachineName}-{Guid.NewGuid():N}",
            SingleNode: !provider.GetRequiredService<StorageTopology>().SharedByNodes));
        services.TryAddSingleton<RunScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<RunScheduler>());
    }
}
