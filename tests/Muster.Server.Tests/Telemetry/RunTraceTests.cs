using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.Webhooks;
using Muster.Simulator;
using Muster.Testing;
using Xunit.Abstractions;

namespace Muster.Server.Tests.Telemetry;

/// <summary>
/// One trace per run, through the real path: a kickoff carrying the caller's <c>traceparent</c>, a hierarchical crew
/// whose manager delegates to a writer who uses a tool, a guardrail that rejects the first answer, a pause for human
/// input, a server restart, and the resume on the next server.
/// </summary>
public sealed class RunTraceTests(ITestOutputHelper output) : IDisposable
{
    private readonly TracedServer _server = new(WriteNewsroom);

    public void Dispose() => _server.Dispose();

    private static void WriteNewsroom(string crewsPath) => TestCrews.Write(crewsPath, "newsroom",
        """
        name: newsroom
        process: hierarchical
        manager_llm: openai/manager-model
        """,
        """
        writer:
          role: "Writer"
          goal: "Answer sums"
          backstory: "Counts carefully."
          tools: [calculator]
        """,
        """
        sum_task:
          description: "What is two plus two?"
          expected_output: "The sum."
          agent: writer
          guardrail: "The answer must use digits."
          human_input: true
        """);

    [Fact]
    public async Task AHierarchicalRun_PausedAndResumedAfterARestart_IsOneTreeInTheCallersTrace()
    {
        var caller = TracedServer.CallerContext();
        Guid id;
        await using (var first = await _server.StartAsync())
        {
            first.Simulator.Enqueue(
                SimulatedReply.ToolCalls(new SimulatedToolCall(
                    "delegate_work_to_coworker", """{"task": "Add two and two", "context": "Use the calculator.", "coworker": "Writer"}""")),
                SimulatedReply.ToolCalls(new SimulatedToolCall("calculator", """{"expression": "2 + 2"}""")),
                SimulatedReply.Text("four"),
                SimulatedReply.Text("The answer is four"),
                SimulatedReply.Text("""{"valid": false, "feedback": "Use digits."}"""),
                SimulatedReply.Text("The answer is 4"),
                SimulatedReply.Text("""{"valid": true, "feedback": null}"""));
            using var client = TracedServer.CallerClient(first, caller.Header);
            id = await client.KickoffAsync(new JsonObject(), "/crews/newsroom");
            await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null, "/crews/newsroom");
        }

        await using (var second = await _server.StartAsync())
        {
            using var client = second.CreateClient(second.BootstrapToken);
            var resume = new JsonObject { ["execution_id"] = id.ToString(), ["task_id"] = "sum_task", ["human_feedback"] = "ok", ["is_approve"] = true };
            (await client.ResumeAsync(resume, "/crews/newsroom")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await client.WaitForFinishAsync(id, "/crews/newsroom")).Is("completed").ShouldBeTrue();
            await Eventually.Until(
                () => Task.FromResult(_server.SpansOf(caller.TraceId).Count(s => s.DisplayName == "invoke_workflow newsroom")),
                count => count == 2,
                "the second execution's span was never exported");
        }

        var spans = _server.SpansOf(caller.TraceId);
        var kickoff = spans.Single(s => s.Kind == ActivityKind.Server && s.ParentSpanId == caller.SpanId && s.DisplayName.StartsWith("POST", StringComparison.Ordinal));
        output.WriteLine(TraceText.Write(spans, kickoff));
        var workflows = spans.Where(s => s.DisplayName == "invoke_workflow newsroom").OrderBy(s => s.StartTimeUtc).ToList();
        workflows.ShouldAllBe(w => w.ParentSpanId == kickoff.SpanId);
        workflows.Select(w => w.GetTagItem("muster.run.outcome")).ShouldBe(["awaiting_human", "completed"]);
        workflows.Select(w => w.GetTagItem("muster.run.continued")).ShouldBe([false, true]);
        // A span cannot stay open across the restart: the resumed execution links to the paused one.
        workflows[0].Links.ShouldBeEmpty();
        workflows[1].Links.Select(l => (l.Context.TraceId, l.Context.SpanId)).ShouldBe([(caller.TraceId, workflows[0].SpanId)]);
        workflows[0].GetTagItem("gen_ai.operation.name").ShouldBe("invoke_workflow");
        workflows[0].GetTagItem("gen_ai.conversation.id").ShouldBe(id.ToString());
        workflows[0].GetTagItem("muster.run.id").ShouldBe(id.ToString());

        var manager = spans.Single(s => s.DisplayName == "invoke_agent Crew Manager");
        manager.ParentSpanId.ShouldBe(workflows[0].SpanId);
        manager.GetTagItem("gen_ai.agent.name").ShouldBe("Crew Manager");
        manager.GetTagItem("gen_ai.request.model").ShouldBe("manager-model");
        manager.GetTagItem("gen_ai.provider.name").ShouldBe("openai");
        manager.GetTagItem("muster.task").ShouldBe("sum_task");
        manager.GetTagItem("muster.crew").ShouldBe("newsroom");
        ((long)manager.GetTagItem("gen_ai.usage.input_tokens")!).ShouldBeGreaterThan(0);

        var delegation = spans.Single(s => s.DisplayName == "execute_tool Delegate work to coworker");
        delegation.ParentSpanId.ShouldBe(manager.SpanId);
        var writer = spans.Single(s => s.DisplayName == "invoke_agent Writer");
        writer.ParentSpanId.ShouldBe(delegation.SpanId);
        writer.GetTagItem("muster.delegated_by").ShouldBe("Crew Manager");
        var calculator = spans.Single(s => s.DisplayName == "execute_tool calculator");
        calculator.ParentSpanId.ShouldBe(writer.SpanId);
        calculator.GetTagItem("gen_ai.tool.name").ShouldBe("calculator");
        calculator.GetTagItem("gen_ai.tool.call.arguments").ShouldBeNull();

        var chats = spans.Where(s => s.DisplayName.StartsWith("chat ", StringComparison.Ordinal)).ToList();
        chats.Count(c => c.ParentSpanId == writer.SpanId).ShouldBe(2);
        chats.Count(c => c.ParentSpanId == manager.SpanId).ShouldBe(3);
        chats.ShouldAllBe(c => (string?)c.GetTagItem("gen_ai.operation.name") == "chat");

        var guardrails = spans.Where(s => s.DisplayName == "guardrail sum_task").OrderBy(s => s.StartTimeUtc).ToList();
        guardrails.ShouldAllBe(g => g.ParentSpanId == manager.SpanId);
        guardrails.Select(g => g.GetTagItem("muster.guardrail.passed")).ShouldBe([false, true]);
        chats.Count(c => guardrails.Any(g => g.SpanId == c.ParentSpanId)).ShouldBe(2);

        // The simulator's HTTP requests are spans of the chat calls: the provider call carried the run's trace.
        spans.Count(s => s.Kind == ActivityKind.Client && chats.Any(c => c.SpanId == s.ParentSpanId)).ShouldBe(chats.Count);
    }
}
