using Muster.Core.Costs;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Guardrails;
using Muster.Core.Llm;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Core.Tests;

/// <summary>The real engine and OpenAI client against the LLM simulator over loopback HTTP; model <c>sim/test-model</c>.</summary>
internal sealed class SimulatedEngine : IAsyncDisposable
{
    private SimulatedEngine(LlmSimulator simulator) => Simulator = simulator;

    public LlmSimulator Simulator { get; }

    public RecordingSink Sink { get; } = new();

    public static async Task<SimulatedEngine> StartAsync() => new(await LlmSimulator.StartAsync(new SimulatorOptions()));

    public async Task<RunOutcome> RunAsync(
        CrewDefinition crew, RunCheckpoint? checkpoint = null, IGuardrailRegistry? guardrails = null, int outputJsonMaxRetries = 3, bool jsonSchemaResponseFormat = true,
        TimeProvider? timeProvider = null, PriceList? prices = null)
    {
        var options = new LlmOptions
        {
            DefaultModel = "sim/test-model",
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            Providers =
            {
                ["sim"] = new LlmProviderOptions
                {
                    BaseUrl = Simulator.BaseUrl.ToString(), ApiKey = "sk-test", MaxRetries = 0, TimeoutSeconds = (int)Eventually.DefaultLimit.TotalSeconds, JsonSchemaResponseFormat = jsonSchemaResponseFormat,
                },
            },
        };
        var engine = TestCrews.NewEngine(options, guardrails, outputJsonMaxRetries, timeProvider, prices);
        // Generous, only so that a bug cannot hang the suite: a run cut short by it ends Stopped and fails its assertions.
        using var guard = new CancellationTokenSource(2 * Eventually.DefaultLimit);
        return await engine.RunAsync(Guid.NewGuid(), crew, checkpoint ?? RunCheckpoint.Empty, Sink, guard.Token);
    }

    public ValueTask DisposeAsync() => Simulator.DisposeAsync();
}
