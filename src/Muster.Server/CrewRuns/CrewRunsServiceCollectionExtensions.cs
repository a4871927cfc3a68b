using Microsoft.Extensions.DependencyInjection.Extensions;
using Muster.Server.CrewRuns;

namespace Microsoft.Extensions.DependencyInjection;

public static class CrewRunsServiceCollectionExtensions
{
    /// <summary>
    /// The crew-runs API's services: ad-hoc crew bounds, live event streams and the retention purge.
    /// Needs the run store, the run service and an <c>IRunEventBus</c> registered by the server.
    /// </summary>
    public static IServiceCollection AddMusterCrewRuns(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<AdHocCrewOptions>()
            .BindConfiguration(AdHocCrewOptions.Section)
            .ValidateDataAnnotations();
        services.AddOptionsWithValidateOnStart<EventStreamOptions>()
            .BindConfiguration(EventStreamOptions.Section)
            .ValidateDataAnnotations();
        services.AddOptionsWithValidateOnStart<RetentionOptions>()
            .BindConfiguration(RetentionOptions.Section)
            .ValidateDataAnnotations();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<RunEventStream>();
        services.TryAddSingleton<CrewRunHistory>();
        services.AddHostedService<RetentionService>();
        return services;
    }
}
