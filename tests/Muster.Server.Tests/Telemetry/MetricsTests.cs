using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Simulator;
using Muster.Testing;
using OpenTelemetry.Metrics;

namespace Muster.Server.Tests.Telemetry;

/// <summary>Muster's metrics after known work, read through an in-memory exporter and scraped at <c>/metrics</c>.</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly TracedServer _server = new(WriteMetered);

    public void Dispose() => _server.Dispose();

    private static void WriteMetered(string crewsPath) => TestCrews.Write(crewsPath, "metered",
        """
        name: metered
        process: sequential
        """,
        """
        counter:
          role: "Counter"
          goal: "Count"
          backstory: "Counts."
          tools: [calculator]
        """,
        """
        count_task:
          description: "Add one and one."
          expected_output: "The sum."
          agent: counter
        """);

    [Fact]
    public async Task ARunWithAToolCallAndABadToolCall_IsCountedByCrewAndTool()
    {
        await using var muster = await _server.StartAsync();
        await RunMeteredAsync(muster);

        muster.Services.GetRequiredService<MeterProvider>().ForceFlush().ShouldBeTrue();
        Sum("muster.runs.started").ShouldBe(1);
        Sum("muster.runs.completed").ShouldBe(1);
        Sum("muster.runs.failed").ShouldBe(0);
        Sum("muster.tool.calls").ShouldBe(2);
        Sum("muster.tool.errors").ShouldBe(1);
        Sum("muster.tool.calls", ("gen_ai.tool.name", "calculator")).ShouldBe(2);
        Latest("muster.run.duration").ShouldNotBeNull();
        Latest("gen_ai.client.token.usage").ShouldNotBeNull();
        Latest("gen_ai.client.operation.duration").ShouldNotBeNull();
    }

    [Fact]
    public async Task OpenMetrics_AreScrapedWithoutAToken_AsPrometheusText()
    {
        await using var muster = await _server.StartAsync(new Dictionary<string, string?>
        {
            ["Muster:Telemetry:Prometheus:Enabled"] = "true",
            ["Muster:Telemetry:Prometheus:Open"] = "true",
        });
        await RunMeteredAsync(muster);

        using var anonymous = muster.CreateClient();
        var text = await Eventually.Until(
            () => anonymous.GetStringAsync("/metrics"),
            body => body.Contains("muster_runs_completed", StringComparison.Ordinal),
            "/metrics never counted the completed run");

        text.Split('\n').ShouldContain(line => line.StartsWith("muster_runs_started_total{", StringComparison.Ordinal) && line.Contains("muster_crew=\"metered\"", StringComparison.Ordinal));
        text.ShouldContain("muster_tool_calls_total{");
        text.ShouldContain("gen_ai_client_token_usage");
        text.ShouldContain("dotnet_");
    }

    [Fact]
    public async Task ClosedMetrics_NeedAnOrganizationToken()
    {
        await using var muster = await _server.StartAsync(new Dictionary<string, string?> { ["Muster:Telemetry:Prometheus:Enabled"] = "true" });

        using var anonymous = muster.CreateClient();
        (await anonymous.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var organization = muster.CreateClient(muster.BootstrapToken);
        using var scraped = await organization.GetAsync("/metrics");
        scraped.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await scraped.Content.ReadAsStringAsync()).ShouldContain("muster_runs_executing");
    }

    [Fact]
    public async Task MetricsNotEnabled_AreNotServed()
    {
        await using var muster = await _server.StartAsync();

        using var organization = muster.CreateClient(muster.BootstrapToken);
        (await organization.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnOpenEndpointThatIsNotEnabled_FailsTheStartNamingTheFix()
    {
        var failure = await Should.ThrowAsync<Exception>(
            () => _server.StartAsync(new Dictionary<string, string?> { ["Muster:Telemetry:Prometheus:Open"] = "true" }));

        failure.ToString().ShouldContain("Muster:Telemetry:Prometheus:Enabled=true");
    }

    private static async Task RunMeteredAsync(MusterServerFixture muster)
    {
        muster.Simulator.Enqueue(
            SimulatedReply.ToolCalls(new SimulatedToolCall("calculator", """{"expression": "1 + 1"}"""), new SimulatedToolCall("calculator", """{"expression": "1 +"}""")),
            SimulatedReply.Text("2"));
        using var client = muster.CreateClient(muster.BootstrapToken);
        var id = await client.KickoffAsync(new JsonObject(), "/crews/metered");
        (await client.WaitForFinishAsync(id, "/crews/metered")).Is("completed").ShouldBeTrue();
    }

    private MetricSnapshot? Latest(string name) => _server.Metrics.Snapshot().LastOrDefault(m => m.Name == name);

    private long Sum(string name, params (string Key, string Value)[] tags)
    {
        if (Latest(name) is not { } metric)
        {
            return 0;
        }

        long sum = 0;
        foreach (var point in metric.MetricPoints)
        {
            var pointTags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags)
            {
                pointTags[tag.Key] = tag.Value;
            }

            if ((string?)pointTags.GetValueOrDefault("muster.crew") == "metered" && tags.All(t => (string?)pointTags.GetValueOrDefault(t.Key) == t.Value))
            {
                sum += point.GetSumLong();
            }
        }

        return sum;
    }
}
