using System.Diagnostics;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Telemetry;

/// <summary>
/// A kickoff over HTTP that carries a W3C <c>traceparent</c> puts the run in the caller's trace; one whose header does not
/// parse is no error, and the run starts a trace of its own.
/// </summary>
public sealed class CallerTraceTests : IDisposable
{
    private readonly TracedServer _server = new(path => TestCrews.WriteTwoTaskCrew(path, "traced"));

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AKickoffWithATraceparent_PutsTheRunUnderTheCallersSpan()
    {
        await using var muster = await _server.StartAsync();
        var caller = TracedServer.CallerContext();
        using var client = TracedServer.CallerClient(muster, caller.Header);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/traced");

        var workflow = await WorkflowSpanAsync(id);
        workflow.TraceId.ShouldBe(caller.TraceId);
        var kickoff = _server.SpansOf(caller.TraceId).Single(s => s.SpanId == workflow.ParentSpanId);
        kickoff.Kind.ShouldBe(ActivityKind.Server);
        kickoff.DisplayName.ShouldStartWith("POST");
        kickoff.ParentSpanId.ShouldBe(caller.SpanId);
    }

    [Theory]
    [InlineData("not a traceparent")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7")]
    public async Task AKickoffWithAMalformedTraceparent_Succeeds_InATraceOfItsOwn(string traceParent)
    {
        await using var muster = await _server.StartAsync();
        using var client = TracedServer.CallerClient(muster, traceParent);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/traced");

        (await client.WaitForFinishAsync(id, "/crews/traced")).Is("completed").ShouldBeTrue();
        var workflow = await WorkflowSpanAsync(id);
        workflow.TraceId.ShouldNotBe(default);
        traceParent.ShouldNotContain(workflow.TraceId.ToHexString());
        // The kickoff request's span, a root: the header was ignored, not half-read.
        var kickoff = _server.SpansOf(workflow.TraceId).Single(s => s.SpanId == workflow.ParentSpanId);
        kickoff.Kind.ShouldBe(ActivityKind.Server);
        kickoff.ParentSpanId.ShouldBe(default);
    }

    private async Task<Activity> WorkflowSpanAsync(Guid runId) => (await Eventually.Until(
        () => Task.FromResult(_server.Spans.Snapshot().FirstOrDefault(s =>
            s.DisplayName == "invoke_workflow traced" && (string?)s.GetTagItem("muster.run.id") == runId.ToString())),
        span => span is not null,
        "the run's invoke_workflow span was never exported"))!;
}
