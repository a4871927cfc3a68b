using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Core.Llm;
using Muster.Simulator;

namespace Muster.Server.Hosting;

/// <summary>
/// <c>--simulated-llm</c> (<c>Muster:SimulatedLlm</c>): points every configured provider (and the usual <c>openai</c>,
/// <c>ollama</c> and <c>anthropic</c>) at the built-in LLM simulator on loopback, so a newcomer can try the whole API, and
/// the example crews whichever model they name, with no key and no network.
/// </summary>
internal static class SimulatedLlm
{
    public static IServiceCollection AddMusterSimulatedLlm(this IServiceCollection services)
    {
        services.TryAddSingleton<SimulatedLlmServer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LlmOptions>, SimulatedLlmOptions>());
        services.AddHostedService<SimulatedLlmAnnouncer>();
        return services;
    }
}

/// <summary>
/// The built-in simulator, started the first time its address is asked for: when the LLM options are first built, at
/// start. Registering services opens no socket. The container stops it with the host.
/// </summary>
internal sealed class SimulatedLlmServer : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private LlmSimulator? _simulator;

    public Uri BaseUrl
    {
        get
        {
            lock (_lock)
            {
                // Options are built synchronously; starting the simulator's listener is quick and happens once.
                _simulator ??= LlmSimulator.StartAsync(new SimulatorOptions()).GetAwaiter().GetResult();
                return _simulator.BaseUrl;
            }
        }
    }

    public ValueTask DisposeAsync() => _simulator?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>With <c>Muster:SimulatedLlm</c> on, every provider's URL is the simulator's, and the default model a simulated one.</summary>
internal sealed class SimulatedLlmOptions(IOptions<MusterOptions> muster, IConfiguration configuration, SimulatedLlmServer simulator)
    : IPostConfigureOptions<LlmOptions>
{
    private static readonly string[] UsualProviders = ["openai", "ollama", "anthropic"];

    public void PostConfigure(string? name, LlmOptions options)
    {
        if (!muster.Value.SimulatedLlm)
        {
            return;
        }

        foreach (var usual in UsualProviders.Where(usual => !options.Providers.Keys.Contains(usual, StringComparer.OrdinalIgnoreCase)))
        {
            options.Providers[usual] = new LlmProviderOptions();
        }

        var baseUrl = simulator.BaseUrl.ToString();
        foreach (var settings in options.Providers.Values)
        {
            settings.BaseUrl = baseUrl;
            settings.ApiKey = "simulated";
            // The simulator speaks OpenAI's chat completions only: anthropic/ models reach it that way too.
            settings.OpenAiCompatible = true;
        }

        if (string.IsNullOrEmpty(configuration["Muster:Llm:DefaultModel"]))
        {
            options.DefaultModel = "openai/simulated";
        }
    }
}

/// <summary>Says loudly, at start, that every answer comes from the simulator.</summary>
internal sealed partial class SimulatedLlmAnnouncer(IOptions<MusterOptions> muster, SimulatedLlmServer simulator, ILogger<SimulatedLlmAnnouncer> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (muster.Value.SimulatedLlm)
        {
            LogSimulated(logger, simulator.BaseUrl.ToString());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIMULATED LLM: every LLM call goes to the built-in simulator at {BaseUrl}. Answers are simulated, not produced by a real model. Remove --simulated-llm and configure Muster:Llm to use a real one.")]
    private static partial void LogSimulated(ILogger logger, string baseUrl);
}
