using System.Data.Common;
using Microsoft.Extensions.Options;
using Muster.Server.Crews;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Hosting;

/// <summary>
/// Runs before the scheduler and the first request: creates or migrates the store, adds the bootstrap token and loads
/// the crews. Registered first, so the hosted services after it find the store ready.
/// </summary>
internal sealed partial class MusterStartup(
    IRunStore store,
    TokenService tokens,
    CrewCatalog catalog,
    IOptions<MusterOptions> options,
    IOptions<StorageOptions> storage,
    ILogger<MusterStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or StoreUnavailableException)
        {
            // The database's own words name the cause (a refused connection, a wrong password, a locked file).
            var cause = (ex is StoreUnavailableException { InnerException: { } inner } ? inner : ex).Message.TrimEnd('.');
            throw new InvalidOperationException(
                $"The run store ({storage.Value.Provider}) could not be opened: {cause}. " +
                "Check Muster:Storage:ConnectionString, and that the database server is running and reachable from this node.", ex);
        }

        if (await tokens.ReplaceDerivedIdsAsync(cancellationToken) is > 0 and var renamed)
        {
            LogDerivedIdsReplaced(logger, renamed);
        }

        if (options.Value.Auth.BootstrapToken is { Length: > 0 } bootstrap)
        {
            await tokens.EnsureBootstrapTokenAsync(bootstrap, cancellationToken);
            LogBootstrapToken(logger);
        }

        catalog.Load();
        if (catalog.Crews.Count == 0)
        {
            LogNoCrews(logger, options.Value.CrewsPath);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "The bootstrap organization token (Muster:Auth:BootstrapToken) is registered")]
    private static partial void LogBootstrapToken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gave {Count} bootstrap token(s) a random id in place of one derived from the token's hash (their runs' owner_id follows)")]
    private static partial void LogDerivedIdsReplaced(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No crew is loaded from {CrewsPath}; the AMP routes answer 404 until crews are added and the server restarts")]
    private static partial void LogNoCrews(ILogger logger, string crewsPath);
}
