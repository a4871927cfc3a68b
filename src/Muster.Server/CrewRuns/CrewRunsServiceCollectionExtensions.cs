using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Core.Engine;
using Muster.Server.CrewRuns;
using Muster.Storage;

namespace Microsoft.Extensions.DependencyInjection;

public static class CrewRunsServiceCollectionExtensions
{
    /// <summary>
    /// The crew-runs API's services: ad-hoc crew bounds, live event streams, the runs' output files and the retention purge.
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
        services.AddOptionsWithValidateOnStart<OutputsOptions>()
            .BindConfiguration(OutputsOptions.Section);
        services.AddOptions<CrewEngineOptions>()
            .Configure<IOptions<OutputsOptions>, IOptions<StorageOptions>>(
                (engine, outputs, storage) => engine.OutputRoot = outputs.Value.Resolve(storage.Value));
        services.TryAddSingleton<RunOutputFiles>();
        services.AddHostedService<RetentionService>();
        return services;
    }
}
