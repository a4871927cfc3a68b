using Microsoft.Extensions.DependencyInjection.Extensions;
using Muster.Server.CrewRuns;
using Muster.Server.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class CrewRunsServiceCollectionExtensions
{
    /// <summary>
    /// The crew-runs API's services: ad-hoc crew bounds, live event streams, the runs' output files and the retention purge.
    /// </summary>
    public static MusterBuilder AddCrewRuns(this MusterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<AdHocCrewOptions>()
            .BindConfiguration(AdHocCrewOptions.Section)
            .ValidateDataAnnotations();
        services.AddOptionsWithValidateOnStart<EventStreamOptions>()
            .BindConfiguration(EventStreamOptions.Section)
            .ValidateDataAnnotations();
        services.AddOptionsWithValidateOnStart<RetentionOptions>()
            .BindConfiguration(RetentionOptions.Section)
            .ValidateDataAnnotations();
        services.TryAddScoped<RunEventStream>();
        services.TryAddSingleton<RunOutputFiles>();
        services.AddHostedService<RetentionService>();
        return builder.Added(MusterFeatures.CrewRuns);
    }
}
