using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Muster.Storage;
using Muster.Storage.Postgres;
using Muster.Storage.Sql;
using Muster.Storage.Sqlite;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the run store chosen by <paramref name="storageSection"/> (<c>Muster:Storage</c>): one instance serves
    /// <see cref="IRunStore"/>, <see cref="IDeliveryStore"/> and <see cref="ITokenStore"/>. Call
    /// <see cref="IRunStore.InitializeAsync"/> at start-up to create or migrate the schema.
    /// </summary>
    public static IServiceCollection AddMusterStorage(this IServiceCollection services, IConfiguration storageSection)
    {
        ArgumentNullException.ThrowIfNull(storageSection);
        var options = new StorageOptions();
        storageSection.Bind(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("Muster:Storage:ConnectionString is empty; set it to a SQLite or Npgsql connection string.");
        }

        if (options.RequestWriteTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Muster:Storage:RequestWriteTimeout must be positive (for example 00:00:10).");
        }

        if (StorageOptions.IsPostgres(options.Provider))
        {
            CheckPostgresConnectionString(storageSection["ConnectionString"]);
        }

        services.AddOptions<StorageOptions>().Bind(storageSection);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SqlRunStore>(options.Provider.Trim().ToLowerInvariant() switch
        {
            StorageOptions.Sqlite => sp => new SqliteRunStore(options.ConnectionString, sp.GetRequiredService<TimeProvider>()),
            _ when StorageOptions.IsPostgres(options.Provider) => sp => new PostgresRunStore(options.ConnectionString, sp.GetRequiredService<TimeProvider>()),
            _ => throw new InvalidOperationException(
                $"Unknown Muster:Storage:Provider '{options.Provider}'. Use '{StorageOptions.Sqlite}' (default) or '{StorageOptions.Postgres}'."),
        });
        services.TryAddSingleton<IRunStore>(sp => sp.GetRequiredService<SqlRunStore>());
        services.TryAddSingleton(sp => sp.GetRequiredService<SqlRunStore>().Health);
        services.TryAddSingleton<IDeliveryStore>(sp => sp.GetRequiredService<SqlRunStore>());
        services.TryAddSingleton<ITokenStore>(sp => sp.GetRequiredService<SqlRunStore>());
        return services;
    }

    // The SQLite default (Data Source=muster.db) must not reach Npgsql: say what to set instead. The connection string
    // itself never goes into a message, since it may carry a password.
    private static void CheckPostgresConnectionString(string? connectionString)
    {
        const string Example = "for example Host=db.internal;Database=muster;Username=muster;Password=... " +
            "(or the environment variable Muster__Storage__ConnectionString)";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Muster:Storage:Provider is postgres but Muster:Storage:ConnectionString is not set; set it to an Npgsql connection string, {Example}.");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(
                $"Muster:Storage:ConnectionString is not a valid Npgsql connection string ({ex.Message}); {Example}.", ex);
        }
    }
}
