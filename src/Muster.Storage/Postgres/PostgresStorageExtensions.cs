using Microsoft.Extensions.DependencyInjection.Extensions;
using Muster.Storage;
using Muster.Storage.Notifications;
using Muster.Storage.Postgres;
using Muster.Storage.Sql;

namespace Microsoft.Extensions.DependencyInjection;

public static class PostgresStorageExtensions
{
    /// <summary>
    /// The PostgreSQL store (<paramref name="connectionString"/>, else <c>Muster:Storage:ConnectionString</c>), shared by
    /// several nodes: events, wake-ups, stop signals and cache invalidations reach the other nodes by LISTEN/NOTIFY, through
    /// a listening connection and a sender that run as hosted services.
    /// </summary>
    public static MusterStorageBuilder UsePostgres(this MusterStorageBuilder builder, string? connectionString = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Provide(StorageOptions.Postgres, connectionString, sharedByNodes: true);
        var services = builder.Services;
        services.TryAddSingleton<SqlRunStore>(provider => new PostgresRunStore(provider.GetStorageOptions().ConnectionString, provider.Clock()));
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<PostgresNotificationSender>(provider, provider.Clock()));
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<PostgresListener>(provider, provider.Clock()));
        services.AddHostedService(provider => provider.GetRequiredService<PostgresNotificationSender>());
        services.AddHostedService(provider => provider.GetRequiredService<PostgresListener>());
        // In this order: on every (re)connect subscribers are nudged, the scheduler woken, then caches cleared.
        AddChannel<IRunEventSignals, PostgresRunEventSignals>(services);
        AddChannel<ISchedulerWakeUps, PostgresSchedulerWakeUps>(services);
        AddChannel<IRunStopSignals, PostgresStopSignals>(services);
        AddChannel<ICacheInvalidations, PostgresCacheInvalidations>(services);
        services.TryAddSingleton<IStoreChangeAnnouncer, PostgresStoreChangeAnnouncer>();
        return builder;
    }

    private static void AddChannel<TService, TChannel>(IServiceCollection services)
        where TService : class
        where TChannel : class, TService, IPostgresChannel
    {
        services.TryAddSingleton<TChannel>();
        services.TryAddSingleton<TService>(provider => provider.GetRequiredService<TChannel>());
        services.AddSingleton<IPostgresChannel>(provider => provider.GetRequiredService<TChannel>());
    }
}
