using System.Diagnostics;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Telemetry;

/// <summary>
/// A run cut off mid-task by a server's shutdown and carried on by the next server stays in its trace: a span cannot stay
/// open across the restart, so the continuing execution's span links to the one that was cut off.
/// </summary>
public sealed class RunTraceRestartTests : IDisposable
{
    private readonly TracedServer _server = new(path => TestCrews.WriteTwoTaskCrew(path, "relay"));

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task ARunCutOffByAShutdown_ContinuesInItsTrace_InASpanLinkedToTheOneCutOff()
    {
        var caller = TracedServer.CallerContext();
        Guid id;
        await using (var first = await _server.StartAsync())
        {
            // The first task answers; the second task's call never does, so the shutdown finds the run mid-task.
            first.Simulator.Enqueue(SimulatedReply.Text("Facts about tides."), SimulatedReply.Hang());
            using var client = TracedServer.CallerClient(first, caller.Header);
            id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/relay");
            await Eventually.Until(
                () => Task.FromResult(first.Simulator.Requests.Count), count => count == 2, "the second task never called its LLM");
        }

        await using (var second = await _server.StartAsync())
        {
            using var client = second.CreateClient(second.BootstrapToken);
            (await client.WaitForFinishAsync(id, "/crews/relay")).Is("completed").ShouldBeTrue();
            await Eventually.Until(
                () => Task.FromResult(_server.SpansOf(caller.TraceId).Count(s => s.DisplayName == "invoke_workflow relay")),
                count => count == 2,
                "the second execution's span was never exported");
        }

        var workflows = _server.SpansOf(caller.TraceId).Where(s => s.DisplayName == "invoke_workflow relay").OrderBy(s => s.StartTimeUtc).ToList();
        workflows.Select(w => w.GetTagItem("muster.run.continued")).ShouldBe([false, true]);
        workflows.ShouldAllBe(w => w.ParentSpanId == workflows[0].ParentSpanId);
        workflows[0].Links.ShouldBeEmpty();
        workflows[1].Links.Select(l => (l.Context.TraceId, l.Context.SpanId)).ShouldBe([(caller.TraceId, workflows[0].SpanId)]);
        workflows.Select(w => w.GetTagItem("muster.run.outcome")).ShouldBe(["stopped", "completed"]);
    }
}
