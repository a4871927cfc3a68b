using Microsoft.Extensions.Options;
using Muster.Core.Crews;
using Muster.Core.Llm;
using Muster.Server.Crews;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Hosting;

/// <summary>
/// Says at start what would otherwise only show later as failures: a store with no token (every request answers 401),
/// bootstrap tokens of earlier starts that still work, and LLM providers that the runs needing them would fail on.
/// Runs after <see cref="MusterStartup"/>, on the ready store and the loaded crews.
/// </summary>
internal sealed partial class StartupWarnings(
    ITokenStore tokens,
    CrewCatalog catalog,
    ILlmClientProvider llms,
    IOptions<LlmOptions> llm,
    IOptions<MusterOptions> options,
    IOptions<StorageOptions> storage,
    ILogger<StartupWarnings> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await CheckTokensAsync(cancellationToken);
        CheckLlmProviders();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CheckTokensAsync(CancellationToken cancellationToken)
    {
        var active = (await tokens.ListTokensAsync(cancellationToken)).Where(t => t.RevokedAt is null).ToList();
        if (active.Count == 0)
        {
            LogNoToken(logger, storage.Value.Describe(), FirstTokenCommand(storage.Value));
            return;
        }

        var current = options.Value.Auth.BootstrapToken is { Length: > 0 } secret ? TokenService.Hash(secret) : null;
        var earlier = active.Where(t => t.Id.StartsWith(TokenService.BootstrapIdPrefix, StringComparison.Ordinal) && t.Hash != current).Select(t => t.Id).ToList();
        if (earlier.Count > 0)
        {
            LogEarlierBootstrapTokens(logger, earlier.Count, string.Join(", ", earlier));
        }
    }

    // The connection string of a SQLite store is only its path, so the command can carry it; a PostgreSQL one may carry a
    // password and never goes into the log.
    private static string FirstTokenCommand(StorageOptions store) => store.SqliteFile() is { } file
        ? $"muster tokens create --kind org --connection-string \"Data Source={file}\""
        : "muster tokens create --kind org --store (with this server's Muster:Storage settings)";

    private void CheckLlmProviders()
    {
        var defaultModel = llm.Value.DefaultModel;
        var users = new Dictionary<string, SortedSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (user, model) in catalog.Crews.SelectMany(crew => ModelsOf(crew, defaultModel)).Append(("the default model", defaultModel)))
        {
            var provider = ModelReference.Parse(model).Provider;
            if (!users.TryGetValue(provider, out var names))
            {
                users[provider] = names = new SortedSet<string>(StringComparer.Ordinal);
            }

            names.Add(user);
        }

        foreach (var (provider, names) in users)
        {
            try
            {
                llms.GetClient(provider);
            }
            catch (LlmConfigurationException ex)
            {
                LogUnusableProvider(logger, provider, ex.Message.TrimEnd('.'), string.Join(", ", names));
            }
        }
    }

    /// <summary>The models a crew's runs call, as the engine picks them (an agent's own, the crew's, else the default).</summary>
    private static IEnumerable<(string User, string Model)> ModelsOf(CrewDefinition crew, string defaultModel)
    {
        var user = $"crew {crew.Name}";
        foreach (var agent in crew.Agents)
        {
            yield return (user, agent.Llm ?? crew.Llm ?? defaultModel);
        }

        if (crew.ManagerAgent is not null || crew.Process == CrewProcess.Hierarchical)
        {
            yield return (user, crew.ManagerAgent?.Llm ?? crew.ManagerLlm ?? crew.Llm ?? defaultModel);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No token exists in {Store}, so every request but the health checks answers 401. Create the first organization token with: {Command}; or set Muster:Auth:BootstrapToken and restart")]
    private static partial void LogNoToken(ILogger logger, string store, string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} bootstrap token(s) from earlier starts still work ({Ids}): changing Muster:Auth:BootstrapToken adds a token and revokes none. Revoke one with: muster tokens revoke ID --store (or DELETE /api/tokens/ID)")]
    private static partial void LogEarlierBootstrapTokens(ILogger logger, int count, string ids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM provider '{Provider}' cannot be used: {Reason}. Runs that call it fail (it serves {Users}). Configure Muster:Llm:Providers:{Provider}:BaseUrl and :ApiKey, and Muster:Llm:DefaultModel for crews that name no model; or start with --simulated-llm to try Muster without an LLM")]
    private static partial void LogUnusableProvider(ILogger logger, string provider, string reason, string users);
}
