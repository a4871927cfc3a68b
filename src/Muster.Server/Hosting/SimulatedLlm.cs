using Microsoft.Extensions.Configuration;
using Muster.Simulator;

namespace Muster.Server.Hosting;

/// <summary>
/// <c>--simulated-llm</c>: starts the built-in LLM simulator on loopback and points every configured provider (and the
/// usual <c>openai</c> and <c>ollama</c>) at it, so a newcomer can try the whole API with no key and no network.
/// </summary>
public static partial class SimulatedLlm
{
    private static readonly string[] UsualProviders = ["openai", "ollama"];

    public static async Task AddMusterSimulatedLlmAsync(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>("Muster:SimulatedLlm"))
        {
            return;
        }

        var simulator = await LlmSimulator.StartAsync(new SimulatorOptions());
        var providers = builder.Configuration.GetSection("Muster:Llm:Providers").GetChildren().Select(p => p.Key)
            .Concat(UsualProviders)
            .Distinct(StringComparer.OrdinalIgnoreCase);
        var overrides = new Dictionary<string, string?>();
        foreach (var provider in providers)
        {
            overrides[$"Muster:Llm:Providers:{provider}:BaseUrl"] = simulator.BaseUrl.ToString();
            overrides[$"Muster:Llm:Providers:{provider}:ApiKey"] = "simulated";
        }

        if (string.IsNullOrEmpty(builder.Configuration["Muster:Llm:DefaultModel"]))
        {
            overrides["Muster:Llm:DefaultModel"] = "openai/simulated";
        }

        builder.Configuration.AddInMemoryCollection(overrides);

        // Created by a factory so that the container disposes it (and stops its listener) with the host.
        builder.Services.AddSingleton(_ => simulator);
        builder.Services.AddHostedService<SimulatedLlmAnnouncer>();
    }
}

/// <summary>Says loudly, at start, that every answer comes from the simulator.</summary>
internal sealed partial class SimulatedLlmAnnouncer(LlmSimulator simulator, ILogger<SimulatedLlmAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogSimulated(logger, simulator.BaseUrl.ToString());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIMULATED LLM: every LLM call goes to the built-in simulator at {BaseUrl}. Answers are simulated, not produced by a real model. Remove --simulated-llm and configure Muster:Llm to use a real one.")]
    private static partial void LogSimulated(ILogger logger, string baseUrl);
}
