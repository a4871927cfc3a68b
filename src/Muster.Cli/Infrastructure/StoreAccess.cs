using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Cli.Infrastructure;

/// <summary>
/// Direct access to the run store, without a server: for <c>muster db migrate</c>, and for <c>muster tokens</c> when an
/// operator needs the first token. The store is configured as the server configures it (<c>Muster:Storage</c> from
/// ./appsettings.json and environment variables such as <c>Muster__Storage__ConnectionString</c>), with the command line's
/// <c>--storage-provider</c> and <c>--connection-string</c> winning, and registered by the server's own code.
/// </summary>
internal sealed class StoreAccess
{
    private const string Section = "Muster:Storage";

    public Option<string?> Provider { get; } = new("--storage-provider")
    {
        Description = "Use the store directly, not the API: sqlite or postgres (default: Muster:Storage:Provider, else sqlite)",
        HelpName = "PROVIDER",
    };

    public Option<string?> ConnectionString { get; } = new("--connection-string")
    {
        Description = "Use the store directly, not the API: a SQLite or Npgsql connection string (default: Muster:Storage:ConnectionString)",
        HelpName = "CONNECTION",
    };

    public Option<bool> Store { get; } = new("--store")
    {
        Description = "Use the store configured in Muster:Storage (./appsettings.json, Muster__Storage__* variables) directly, not the API",
    };

    public Option<bool> Create { get; } = new("--create")
    {
        Description = "With the store used directly: create it if it does not exist yet (otherwise a missing SQLite file is an error)",
    };

    /// <param name="withCreateFlag">Offer <c>--create</c>; without it the command never creates a store.</param>
    public void AddTo(Command command, bool withStoreFlag, bool withCreateFlag = false)
    {
        command.Add(Provider);
        command.Add(ConnectionString);
        if (withStoreFlag)
        {
            command.Add(Store);
        }

        if (withCreateFlag)
        {
            command.Add(Create);
        }
    }

    /// <summary>True when the command line asks for the store rather than the API.</summary>
    public bool IsDirect(ParseResult parse) =>
        parse.GetValue(Store) || parse.GetValue(Provider) is not null || parse.GetValue(ConnectionString) is not null;

    /// <summary>
    /// The store's services (<see cref="IRunStore"/>, <see cref="ITokenStore"/>, <see cref="TokenService"/>), schema created or
    /// migrated. A SQLite file that does not exist is an error unless <c>--create</c> asks for it: run from another folder,
    /// the default <c>Data Source=muster.db</c> would quietly start a new store that no server reads.
    /// </summary>
    public async Task<ServiceProvider> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var services = Describe(parse, out _);
        try
        {
            if (services.GetRequiredService<IOptions<StorageOptions>>().Value.SqliteFile() is { } file && !File.Exists(file) && !parse.GetValue(Create))
            {
                throw new UsageException(
                    $"there is no store at {file}; run this where the server runs (its ./appsettings.json), give the server's " +
                    "--connection-string \"Data Source=PATH\", or add --create to start a new store there");
            }

            await services.GetRequiredService<IRunStore>().InitializeAsync(cancellationToken);
            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>The store in words (the SQLite file, or the PostgreSQL database and host), for saying where a command wrote.</summary>
    public static string Name(ServiceProvider services) => services.GetRequiredService<IOptions<StorageOptions>>().Value.Describe();

    /// <summary>The store's services without touching the database; <paramref name="provider"/> says which it is.</summary>
    public ServiceProvider Describe(ParseResult parse, out string provider)
    {
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(Provider) is { } name)
        {
            overrides[$"{Section}:Provider"] = name;
        }

        if (parse.GetValue(ConnectionString) is { } connection)
        {
            overrides[$"{Section}:ConnectionString"] = connection;
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
        // The server's own registration (provider choice, settings checks) and token service.
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<TokenService>();
        services.AddMusterStorage(configuration.GetSection(Section));
        var built = services.BuildServiceProvider();
        try
        {
            // Checked at once, as a server checks them at start: a wrong setting is a usage error.
            provider = built.GetRequiredService<IOptions<StorageOptions>>().Value.Provider;
            return built;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            built.Dispose();
            throw new UsageException(ex is OptionsValidationException invalid ? string.Join(" ", invalid.Failures) : ex.Message);
        }
    }
}
