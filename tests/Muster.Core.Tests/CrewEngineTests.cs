using Microsoft.Extensions.AI;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Tools;
using Muster.Testing;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

public sealed class CrewEngineTests
{
    private static readonly AgentDefinition[] TwoAgents = [Agent("researcher", "Senior Researcher"), Agent("writer", "Report Writer")];

    [Fact]
    public async Task RunAsync_ThreeTasks_PromptsCarryAgentAndContextFlows()
    {
        var llm = new FakeChatClient().Reply("FACTS-1").Reply("DRAFT-2").Reply("FINAL-3");
        var sink = new RecordingSink();
        var crew = Crew(TwoAgents, Task("research", "researcher"), Task("draft", "writer"), Task("final", "writer", context: ["research"]));

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed);
        var system = llm.Calls[0].Messages[0];
        system.Role.ShouldBe(ChatRole.System);
        system.Text.ShouldContain("Senior Researcher");
        system.Text.ShouldContain("Goal of researcher");
        system.Text.ShouldContain("Backstory of researcher");
        llm.Calls[0].Messages[1].Text.ShouldContain("Do the research work");
        llm.Calls[0].Messages[1].Text.ShouldContain("The research result");
        llm.Calls[1].Messages[1].Text.ShouldContain("FACTS-1");
        llm.Calls[2].Messages[1].Text.ShouldContain("FACTS-1");
        llm.Calls[2].Messages[1].Text.ShouldNotContain("DRAFT-2");
        llm.Calls.ShouldAllBe(c => c.Options!.ModelId == "gpt-4o-mini");

        var output = outcome.Output!;
        output.Raw.ShouldBe("FINAL-3");
        output.TasksOutput.Select(t => t.Raw).ShouldBe(["FACTS-1", "DRAFT-2", "FINAL-3"]);
        output.TasksOutput[0].Summary.ShouldBe("Do the research work carefully and well...");
        output.TasksOutput[1].Agent.ShouldBe("Report Writer");
        // gpt-4o-mini at the shipped $0.15/$0.60 per million tokens.
        output.Usage.ShouldBe(new TokenUsage(30, 15, 0, 3, 0.0000135m));
    }

    [Fact]
    public async Task RunAsync_EmitsEventsInOrder_NumberedAfterTheCheckpoint()
    {
        var llm = new FakeChatClient().Reply("done");
        var sink = new RecordingSink();
        var runId = Guid.NewGuid();
        var crew = Crew([Agent("a")], Task("only", "a"));

        await NewEngine(new FakeLlmProvider(llm)).RunAsync(runId, crew, RunCheckpoint.Empty with { LastSequence = 41 }, sink, CancellationToken.None);

        sink.Types.ShouldBe([
            "crew_kickoff_started", "task_started", "agent_execution_started", "llm_call_started", "llm_call_completed",
            "agent_step", "agent_execution_completed", "task_completed", "crew_kickoff_completed"]);
        sink.Events.Select(e => e.Sequence).ShouldBe(Enumerable.Range(42, 9).Select(i => (long)i));
        sink.Events.ShouldAllBe(e => e.RunId == runId && e.Timestamp.Offset == TimeSpan.Zero);
        var completed = sink.Single<TaskCompleted>();
        completed.Output.ShouldBe("done");
        completed.Summary.ShouldEndWith("...");
        completed.Usage.TotalTokens.ShouldBe(15);
        sink.Single<CrewKickoffCompleted>().Output.ShouldBe("done");
        sink.Single<LlmCallStarted>().Model.ShouldBe("openai/gpt-4o-mini");
    }

    [Fact]
    public async Task RunAsync_SingleToolCall_RunsToolAndFeedsResultBack()
    {
        var llm = new FakeChatClient()
            .ToolCalls(("calculator", new() { ["expression"] = "6 * 7" }))
            .Reply("The answer is 42");
        var sink = new RecordingSink();
        var crew = Crew([Agent("a", tools: "calculator")], Task("math", "a"));

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Output!.Raw.ShouldBe("The answer is 42");
        llm.Calls[0].Options!.Tools!.Select(t => t.Name).ShouldBe(["calculator"]);
        var toolResult = llm.Calls[1].Messages.Last().Contents.OfType<FunctionResultContent>().ShouldHaveSingleItem();
        toolResult.Result.ShouldBe("42");
        sink.Single<ToolUsageFinished>().Output.ShouldBe("42");
        sink.Single<ToolUsageStarted>().ToolArgs.GetProperty("expression").GetString().ShouldBe("6 * 7");
        sink.All<AgentStep>().Select(e => e.Tool).ShouldBe(["calculator", ""]);
    }

    [Fact]
    public async Task RunAsync_ParallelToolCalls_RunConcurrently()
    {
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var waitTool = AIFunctionFactory.Create(
            async (string id) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    bothStarted.SetResult();
                }

                // Each call waits for the other: this only finishes if both run at once.
                await bothStarted.Task.WaitAsync(Eventually.DefaultLimit);
                return $"result-{id}";
            },
            "wait_for_peer");
        var llm = new FakeChatClient()
            .ToolCalls(("wait_for_peer", new() { ["id"] = "one" }), ("wait_for_peer", new() { ["id"] = "two" }))
            .Reply("both done");
        var sink = new RecordingSink();
        var crew = Crew([Agent("a", tools: "wait_for_peer")], Task("t", "a"));

        var outcome = await NewEngine(new FakeLlmProvider(llm), new ToolRegistry([waitTool])).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed);
        llm.Calls[1].Messages.Last().Contents.OfType<FunctionResultContent>().Select(r => r.Result).ShouldBe(["result-one", "result-two"]);
        sink.Types.Count(t => t == "tool_usage_finished").ShouldBe(2);
    }

    [Fact]
    public async Task RunAsync_FailingOrUnknownTool_FeedsErrorBackAndCarriesOn()
    {
        var llm = new FakeChatClient()
            .ToolCalls(("calculator", new() { ["expression"] = "2 +" }), ("no_such_tool", new()))
            .Reply("recovered");
        var sink = new RecordingSink();

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(
            Guid.NewGuid(), Crew([Agent("a", tools: "calculator")], Task("t", "a")), RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Output!.Raw.ShouldBe("recovered");
        sink.Types.Count(t => t == "tool_usage_error").ShouldBe(2);
        var results = llm.Calls[1].Messages.Last().Contents.OfType<FunctionResultContent>().Select(r => (string)r.Result!).ToList();
        results[0].ShouldContain("Invalid expression");
        results[1].ShouldContain("does not exist");
    }

    [Fact]
    public async Task RunAsync_AtMaxIter_AsksForBestFinalAnswerWithoutTools()
    {
        var llm = new FakeChatClient()
            .ToolCalls(("current_time", new()))
            .ToolCalls(("current_time", new()))
            .Reply("best final answer");
        var crew = Crew([Agent("a", maxIter: 2, tools: "current_time")], Task("t", "a"));

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, new RecordingSink(), CancellationToken.None);

        outcome.Output!.Raw.ShouldBe("best final answer");
        llm.Calls.Count.ShouldBe(3);
        llm.Calls[2].Options!.Tools.ShouldBeNull();
        llm.Calls[2].Messages.Last().Text.ShouldContain("absolute best final answer");
    }
}
