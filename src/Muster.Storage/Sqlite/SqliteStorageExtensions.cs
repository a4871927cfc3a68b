using Microsoft.Extensions.DependencyInjection.Extensions;
using Muster.Storage;
using Muster.Storage.Notifications;
using Muster.Storage.Sql;
using Muster.Storage.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

public static class SqliteStorageExtensions
{
    /// <summary>
    /// The SQLite store (<paramref name="connectionString"/>, else <c>Muster:Storage:ConnectionString</c>), owned by one node:
    /// its events, wake-ups, stop signals and cache invalidations travel in memory, and other processes (the CLI) cannot
    /// reach it.
    /// </summary>
    public static MusterStorageBuilder UseSqlite(this MusterStorageBuilder builder, string? connectionString = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Provide(StorageOptions.Sqlite, connectionString, sharedByNodes: false);
        var services = builder.Services;
        services.TryAddSingleton<SqlRunStore>(provider => new SqliteRunStore(provider.GetStorageOptions().ConnectionString, provider.Clock()));
        services.TryAddSingleton<IRunEventSignals, InProcessRunEventSignals>();
        services.TryAddSingleton<ISchedulerWakeUps, InProcessSchedulerWakeUps>();
        services.TryAddSingleton<IRunStopSignals, InProcessStopSignals>();
        services.TryAddSingleton<ICacheInvalidations, InProcessCacheInvalidations>();
        services.TryAddSingleton<IStoreChangeAnnouncer, NoStoreChangeAnnouncer>();
        return builder;
    }
}
