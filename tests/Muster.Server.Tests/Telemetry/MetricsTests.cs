using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Simulator;
using Muster.Testing;
using OpenTelemetry.Metrics;

namespace Muster.Server.Tests.Telemetry;

/// <summary>
/// Muster's metrics after known work: counted from the server's own instruments (<see cref="ScopedMeasurements"/>), seen in
/// OpenTelemetry's in-memory exporter, and scraped at <c>/metrics</c>.
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private static readonly (string Key, string? Value) Crew = ("muster.crew", "metered");
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
        using var own = new ScopedMeasurements(muster.Services.GetRequiredService<IMeterFactory>());
        await RunMeteredAsync(muster);

        own.Sum("muster.runs.started", Crew).ShouldBe(1);
        own.Sum("muster.runs.completed", Crew).ShouldBe(1);
        own.Sum("muster.runs.failed", Crew).ShouldBe(0);
        own.Sum("muster.tool.calls", Crew).ShouldBe(2);
        own.Sum("muster.tool.errors", Crew).ShouldBe(1);
        own.Sum("muster.tool.calls", Crew, ("gen_ai.tool.name", "calculator")).ShouldBe(2);
        own.Count("muster.run.duration", Crew, ("muster.run.outcome", "completed")).ShouldBe(1);

        // The same instruments reach OpenTelemetry's exporter, beside the GenAI client metrics of the LLM calls.
        muster.Services.GetRequiredService<MeterProvider>().ForceFlush().ShouldBeTrue();
        Exported("muster.runs.started").ShouldNotBeNull();
        Exported("muster.run.duration").ShouldNotBeNull();
        Exported("gen_ai.client.token.usage").ShouldNotBeNull();
        Exported("gen_ai.client.operation.duration").ShouldNotBeNull();
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

    private MetricSnapshot? Exported(string name) => _server.Metrics.Snapshot().LastOrDefault(m => m.Name == name);
}
