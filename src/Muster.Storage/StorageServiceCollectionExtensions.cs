using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Storage;
using Muster.Storage.Notifications;
using Muster.Storage.Sql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The run store's services: <c>AddMusterStorage()</c>, then the provider (<c>UseSqlite</c> or <c>UsePostgres</c>).</summary>
public sealed class MusterStorageBuilder
{
    internal MusterStorageBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }
}

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the run store's contracts (<see cref="IRunStore"/>, <see cref="IDeliveryStore"/>, <see cref="ITokenStore"/>,
    /// <see cref="StoreHealth"/>, all served by one store) and <see cref="StorageOptions"/>, validated at start. The store
    /// itself and the notifications between nodes come from the provider added on the builder:
    /// <see cref="SqliteStorageExtensions.UseSqlite"/> or <see cref="PostgresStorageExtensions.UsePostgres"/>. Call
    /// <see cref="IRunStore.InitializeAsync"/> at start-up to create or migrate the schema.
    /// </summary>
    public static MusterStorageBuilder AddMusterStorage(this IServiceCollection services)
    {
        services.AddLogging();
        services.AddOptionsWithValidateOnStart<StorageOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton<IRunStore>(Store);
        services.TryAddSingleton(provider => Store(provider).Health);
        services.TryAddSingleton<IDeliveryStore>(Store);
        services.TryAddSingleton<ITokenStore>(Store);
        services.TryAddSingleton<IRunTelemetryStore>(Store);
        return new MusterStorageBuilder(services);
    }

    /// <summary>
    /// Registers the run store configured by <paramref name="storageSection"/> (<c>Muster:Storage</c>): its options bound
    /// from the section, and the provider its <c>Provider</c> names (<c>sqlite</c> by default, or <c>postgres</c>). The
    /// section is only read here; an unknown provider, like any other wrong setting, fails at start, when the options are
    /// validated.
    /// </summary>
    public static MusterStorageBuilder AddMusterStorage(this IServiceCollection services, IConfiguration storageSection)
    {
        ArgumentNullException.ThrowIfNull(storageSection);
        var storage = services.AddMusterStorage();
        services.AddOptions<StorageOptions>().Bind(storageSection);
        return StorageOptions.ProviderNamed(storageSection[nameof(StorageOptions.Provider)] ?? StorageOptions.Sqlite) switch
        {
            StorageOptions.Sqlite => storage.UseSqlite(),
            StorageOptions.Postgres => storage.UsePostgres(),
            _ => storage.RefuseUnknownProvider(),
        };
    }

    /// <summary>
    /// An unknown provider name adds no provider. Each service a provider adds is still registered, and throws, when first
    /// asked for, what validating the options found: whichever a host builds first (the services it starts are all
    /// checked for resolvability before any runs), it fails with the message that names the fix.
    /// </summary>
    private static MusterStorageBuilder RefuseUnknownProvider(this MusterStorageBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(Refuse<StorageTopology>);
        services.TryAddSingleton(Refuse<IRunEventSignals>);
        services.TryAddSingleton(Refuse<ISchedulerWakeUps>);
        services.TryAddSingleton(Refuse<IRunStopSignals>);
        services.TryAddSingleton(Refuse<ICacheInvalidations>);
        services.TryAddSingleton(Refuse<IStoreChangeAnnouncer>);
        return builder;
    }

    private static T Refuse<T>(IServiceProvider services) => throw NoProvider(services);

    /// <summary>Sets the provider's name and, when given, the connection string; refuses a second provider.</summary>
    internal static void Provide(this MusterStorageBuilder builder, string provider, string? connectionString, bool sharedByNodes)
    {
        if (builder.Services.Any(service => service.ServiceType == typeof(StorageTopology)))
        {
            throw new InvalidOperationException("A storage provider is already added: call UseSqlite() or UsePostgres() once on AddMusterStorage().");
        }

        builder.Services.AddSingleton(new StorageTopology(sharedByNodes));
        builder.Services.Configure<StorageOptions>(options =>
        {
            // Options bound from configuration already name this provider, perhaps in other words (PostgreSQL): keep them.
            if (StorageOptions.ProviderNamed(options.Provider) != provider)
            {
                options.Provider = provider;
            }

            if (connectionString is not null)
            {
                options.ConnectionString = connectionString;
            }
        });
    }

    /// <summary>The clock a test registered, else the system's: the store registers none of its own.</summary>
    internal static TimeProvider Clock(this IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>The validated options (a wrong setting throws its <see cref="OptionsValidationException"/> here).</summary>
    internal static StorageOptions GetStorageOptions(this IServiceProvider services) => services.GetRequiredService<IOptions<StorageOptions>>().Value;

    private static SqlRunStore Store(IServiceProvider services) => services.GetService<SqlRunStore>() ?? throw NoProvider(services);

    private static InvalidOperationException NoProvider(IServiceProvider services)
    {
        // Options that name no known provider fail their validation here, with the message that names the fix.
        var provider = services.GetStorageOptions().Provider;
        return new InvalidOperationException(
            $"No storage provider was added for Muster:Storage:Provider '{provider}': call UseSqlite() or UsePostgres() on AddMusterStorage().");
    }
}
