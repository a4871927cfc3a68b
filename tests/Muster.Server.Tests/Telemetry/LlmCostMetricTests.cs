using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Simulator;
using Muster.Testing;
using OpenTelemetry.Metrics;

namespace Muster.Server.Tests.Telemetry;

/// <summary>
/// <c>muster.llm.cost</c> after known work: the dollars of the priced calls, by provider and model, and nothing for a call with
/// no price.
/// </summary>
public sealed class LlmCostMetricTests : IDisposable
{
    private readonly TracedServer _server = new(WritePriced);

    public void Dispose() => _server.Dispose();

    private static void WritePriced(string crewsPath) => TestCrews.Write(crewsPath, "priced",
        """
        name: priced
        process: sequential
        """,
        """
        paid:
          role: "Paid"
          goal: "Answer"
          backstory: "Costs money."
          llm: openai/priced-model
        free:
          role: "Free"
          goal: "Answer"
          backstory: "Has no price."
          llm: openai/unpriced-model
        """,
        """
        paid_task:
          description: "Answer once."
          expected_output: "An answer."
          agent: paid
        free_task:
          description: "Answer again."
          expected_output: "An answer."
          agent: free
        """);

    [Fact]
    public async Task PricedCalls_AddTheirDollarsByProviderAndModel_AndUnpricedCallsNothing()
    {
        // A dollar per input token and two per output token: 3 in and 2 out cost 7.
        var prices = new Dictionary<string, string?>
        {
            ["Muster:Llm:Prices:openai/priced-model:Input"] = "1000000",
            ["Muster:Llm:Prices:openai/priced-model:Output"] = "2000000",
        };
        await using var muster = await _server.StartAsync(prices);
        using var own = new ScopedMeasurements(muster.Services.GetRequiredService<IMeterFactory>());
        muster.Simulator.Enqueue(SimulatedReply.Text("paid answer", promptTokens: 3, completionTokens: 2), SimulatedReply.Text("free answer", promptTokens: 5, completionTokens: 5));
        using var client = muster.CreateClient(muster.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject(), "/crews/priced");
        (await client.WaitForFinishAsync(id, "/crews/priced")).Is("completed").ShouldBeTrue();

        // Measured by this server's own instruments (ScopedMeasurements): other tests' servers price calls beside it.
        var cost = own.All("muster.llm.cost");
        cost.ShouldAllBe(m => m.Unit == "USD");
        cost.Select(m => (Provider: (string?)m.Tags["gen_ai.provider.name"], Model: (string?)m.Tags["gen_ai.request.model"], m.Value, Tags: m.Tags.Count))
            .ShouldBe([("openai", "priced-model", 7d, 2)]);

        // OpenTelemetry's exporter has the instrument too.
        muster.Services.GetRequiredService<MeterProvider>().ForceFlush().ShouldBeTrue();
        _server.Metrics.Snapshot().LastOrDefault(m => m.Name == "muster.llm.cost").ShouldNotBeNull().Unit.ShouldBe("USD");
    }
}
