using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Simulator;
using Muster.Testing;
using OpenTelemetry.Metrics;

namespace Muster.Server.Tests.Telemetry;

/// <summary>
/// <c>muster.llm.cost</c> after known work: the dollars of the priced calls, by provider and model. Meters are heard by name
/// across the test process, so the models are this test's own.
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
        muster.Simulator.Enqueue(SimulatedReply.Text("paid answer", promptTokens: 3, completionTokens: 2), SimulatedReply.Text("free answer", promptTokens: 5, completionTokens: 5));
        using var client = muster.CreateClient(muster.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject(), "/crews/priced");
        (await client.WaitForFinishAsync(id, "/crews/priced")).Is("completed").ShouldBeTrue();

        muster.Services.GetRequiredService<MeterProvider>().ForceFlush().ShouldBeTrue();
        var cost = Cost(_server).ShouldNotBeNull();
        cost.Unit.ShouldBe("USD");
        Points(cost).ShouldBe([("openai", "priced-model", 7d)]);
    }

    private static Metric? Cost(TracedServer server) => server.Metrics.Snapshot().LastOrDefault(m => m.Name == "muster.llm.cost") is { } snapshot
        ? new Metric(snapshot.Unit, snapshot.MetricPoints)
        : null;

    private static List<(string? Provider, string? Model, double Sum)> Points(Metric metric)
    {
        var points = new List<(string?, string?, double)>();
        foreach (var point in metric.Points)
        {
            var tags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            tags.Count.ShouldBe(2);
            points.Add(((string?)tags.GetValueOrDefault("gen_ai.provider.name"), (string?)tags.GetValueOrDefault("gen_ai.request.model"), point.GetSumDouble()));
        }

        return points;
    }

    private sealed record Metric(string Unit, IReadOnlyList<MetricPoint> Points);
}
