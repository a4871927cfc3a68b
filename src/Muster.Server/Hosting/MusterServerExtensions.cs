using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Engine;
using Muster.Server.Auth;
using Muster.Server.Caching;
using Muster.Server.Crews;
using Muster.Server.Execution;
using Muster.Server.Hosting;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The server's own building blocks, in the order Program.cs composes them.</summary>
public static class MusterServerExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// The log's defaults, options (validated at start), the default loopback URL, the request body limit, JSON for the wire
    /// contracts, logs without secrets, and the start-up work (server lock, store, bootstrap token, crews, warnings).
    /// </summary>
    public static WebApplicationBuilder AddMusterHosting(this WebApplicationBuilder builder)
    {
        builder.AddMusterLogging();
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"]) &&
            !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            // Loopback unless told otherwise: a fresh install must not listen on the network.
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<MusterOptions>()
            .Bind(configuration.GetSection(MusterOptions.SectionName))
            .ValidateDataAnnotations();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<MusterOptions>>((kestrel, muster) => kestrel.Limits.MaxRequestBodySize = muster.Value.Limits.MaxRequestBodyBytes);
        services.Configure<HostOptions>(host =>
        {
            // Room for the scheduler's grace period plus the time to record what happened.
            var grace = configuration.GetValue<int?>("Muster:Execution:ShutdownGraceSeconds") ?? 10;
            host.ShutdownTimeout = TimeSpan.FromSeconds(grace + 10);
        });
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, MusterJsonContext.Default);
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddMusterLogRedaction();
        // In this order: the server lock before anything touches the store, the warnings once store and crews are ready.
        services.AddHostedService<ServerLock>();
        services.AddHostedService<MusterStartup>();
        services.AddHostedService<StartupWarnings>();
        services.AddHostedService<StoreHealthLog>();
        return builder;
    }

    /// <summary>
    /// Bearer tokens: the handler, the token service, the principal cache, and the policies (every route needs a token
    /// unless it says otherwise).
    /// </summary>
    public static IServiceCollection AddMusterAuth(this IServiceCollection services)
    {
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<PrincipalCache>();
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(BearerTokenHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(BearerTokenHandler.TokenManagerPolicy, policy => policy
                .AddAuthenticationSchemes(BearerTokenHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(BearerTokenHandler.ManageTokensClaim, "true"));
        return services;
    }

    /// <summary>The crews folder, loaded at start.</summary>
    public static IServiceCollection AddMusterCrews(this IServiceCollection services)
    {
        services.TryAddSingleton<CrewCatalog>();
        return services;
    }

    /// <summary>
    /// Runs: the run service, the event bus (and the cache invalidations it carries), the scheduler and the seams the webhooks feature fills (its registrations
    /// replace these permissive defaults).
    /// </summary>
    public static IServiceCollection AddMusterExecution(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration["Muster:Storage:Provider"];
        if (StorageOptions.IsPostgres(provider))
        {
            // Several nodes share the database: wake-ups, stop signals and live events cross them by LISTEN/NOTIFY.
            services.TryAddSingleton<PostgresRunEventBus>();
            services.TryAddSingleton<IRunEventBus>(sp => sp.GetRequiredService<PostgresRunEventBus>());
            services.AddHostedService(sp => sp.GetRequiredService<PostgresRunEventBus>());
        }

        services.TryAddSingleton<IRunEventBus, InProcessRunEventBus>();
        services.TryAddSingleton<IDeliveryPlanner, NoDeliveryPlanner>();
        services.TryAddSingleton<IWebhookUrlValidator, PermissiveWebhookUrlValidator>();
        services.TryAddSingleton<RunService>();
        services.TryAddSingleton<RunStatusReader>();
        services.TryAddSingleton<ExecutingRuns>();
        services.TryAddSingleton<CacheInvalidator>();
        services.AddHostedService(sp => sp.GetRequiredService<CacheInvalidator>());
        services.AddOptionsWithValidateOnStart<CrewEngineOptions>()
            .BindConfiguration(CrewEngineOptions.Section)
            .Configure<IOptions<MusterOptions>>((engine, muster) => engine.MaxRunBytes = muster.Value.Limits.MaxRunBytes)
            .ValidateDataAnnotations();

        var nodeId = configuration["Muster:Execution:NodeId"];
        services.TryAddSingleton(new SchedulerIdentity(
            string.IsNullOrWhiteSpace(nodeId) ? $"{Environment.MachineName}-{Guid.NewGuid():N}" : nodeId,
            SingleNode: !StorageOptions.IsPostgres(provider)));
        services.TryAddSingleton<RunScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<RunScheduler>());
        return services;
    }
}
