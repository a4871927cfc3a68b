using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Crews;
using Muster.Core.Engine;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

/// <summary>Costs and budgets in the engine: each call priced, and each kind of limit stopping the run at the right call.</summary>
public sealed class BudgetEngineTests
{
    private const string Model = "test/priced";

    // $1,000 per million tokens either way: a tool-call reply (20 prompt + 3 completion tokens) costs $0.023.
    private static readonly PriceList Priced = Prices((Model, 1000m, 1000m));

    private readonly RecordingSink _sink = new();

    private static FakeChatClient ToolLoop(int toolCalls) =>
        Enumerable.Range(0, toolCalls).Aggregate(new FakeChatClient(), (llm, _) => llm.ToolCalls(("calculator", new() { ["expression"] = "1 + 1" })))
            .Reply("Final Answer: done");

    private static CrewDefinition CrewWith(CrewBudget? budget) =>
        Crew([Agent("a", tools: "calculator")], Task("work", "a")) with { Llm = Model, Budget = budget };

    private System.Threading.Tasks.Task<RunOutcome> RunAsync(FakeChatClient llm, CrewDefinition crew, RunCheckpoint? checkpoint = null, TimeProvider? time = null) =>
        NewEngine(new FakeLlmProvider(llm), prices: Priced, timeProvider: time).RunAsync(Guid.NewGuid(), crew, checkpoint ?? RunCheckpoint.Empty, _sink, CancellationToken.None);

    [Fact]
    public async Task EachCall_IsPricedWhenItsUsageIsRecorded_AndSummedPerTaskAndRun()
    {
        var outcome = await RunAsync(ToolLoop(2), CrewWith(budget: null));

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        _sink.All<LlmCallCompleted>().Select(c => c.Usage.CostUsd).ShouldBe([0.023m, 0.023m, 0.015m]);
        _sink.Single<TaskCompleted>().Usage.CostUsd.ShouldBe(0.061m);
        _sink.Single<CrewKickoffCompleted>().Usage.CostUsd.ShouldBe(0.061m);
    }

    [Fact]
    public async Task AModelWithoutAPrice_CostsNull_NotZero()
    {
        var outcome = await RunAsync(ToolLoop(1), CrewWith(budget: null) with { Llm = "test/unpriced" });

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        _sink.All<LlmCallCompleted>().ShouldAllBe(c => c.Usage.CostUsd == null);
        _sink.Single<CrewKickoffCompleted>().Usage.CostUsd.ShouldBeNull();
        _sink.Single<CrewKickoffCompleted>().Usage.TotalTokens.ShouldBe(38);
    }

    [Fact]
    public async Task ATokenBudget_StopsTheRunAfterTheCallThatCrossesIt_CountingThatCall()
    {
        var llm = ToolLoop(5);

        var outcome = await RunAsync(llm, CrewWith(new CrewBudget { MaxTotalTokens = 40 }));

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error.ShouldBe("Budget exceeded: 46 of 40 tokens");
        llm.Calls.Count.ShouldBe(2);
        var exceeded = _sink.Single<CrewBudgetExceeded>();
        exceeded.ShouldBe(new CrewBudgetExceeded("max_total_tokens", 40, 46, "Budget exceeded: 46 of 40 tokens"));
        _sink.Types.TakeLast(2).ShouldBe(["crew_budget_exceeded", "crew_kickoff_failed"]);
        _sink.Single<CrewKickoffFailed>().Error.ShouldBe("Budget exceeded: 46 of 40 tokens");
        _sink.All<LlmCallCompleted>().Count.ShouldBe(2);
    }

    [Fact]
    public async Task ATokenBudgetReachedExactly_RefusesTheNextCall()
    {
        var llm = ToolLoop(5);

        var outcome = await RunAsync(llm, CrewWith(new CrewBudget { MaxTotalTokens = 46 }));

        outcome.Error.ShouldBe("Budget exceeded: 46 of 46 tokens");
        llm.Calls.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ACallBudget_RefusesTheCallAfterTheLast()
    {
        var llm = ToolLoop(5);

        var outcome = await RunAsync(llm, CrewWith(new CrewBudget { MaxLlmCalls = 3 }));

        outcome.Error.ShouldBe("Budget exceeded: 3 of 3 LLM calls");
        llm.Calls.Count.ShouldBe(3);
        _sink.Single<CrewBudgetExceeded>().Budget.ShouldBe("max_llm_calls");
    }

    [Fact]
    public async Task ACostBudget_StopsTheRunAfterTheCallThatCrossesIt()
    {
        var llm = ToolLoop(5);

        var outcome = await RunAsync(llm, CrewWith(new CrewBudget { MaxCostUsd = 0.04m }));

        outcome.Error.ShouldBe("Budget exceeded: $0.046 of $0.04");
        llm.Calls.Count.ShouldBe(2);
        _sink.Single<CrewBudgetExceeded>().Spent.ShouldBe(0.046m);
    }

    [Fact]
    public async Task ACostBudget_OnAModelWithoutAPrice_StopsBeforeTheFirstCall()
    {
        var llm = ToolLoop(1);

        var outcome = await RunAsync(llm, CrewWith(new CrewBudget { MaxCostUsd = 1m }) with { Llm = "test/unpriced" });

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldStartWith("Budget exceeded: the cost of model 'test/unpriced' is unknown");
        llm.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task ADurationBudget_StopsTheRunBeforeTheToolCallThatComesTooLate()
    {
        var time = new FakeTimeProvider();
        var llm = new FakeChatClient();
        for (var i = 0; i < 3; i++)
        {
            // Each call takes 30 s of the run's clock.
            llm.Then((_, _) =>
            {
                time.Advance(TimeSpan.FromSeconds(30));
                return System.Threading.Tasks.Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{Guid.NewGuid():N}", "calculator", new Dictionary<string, object?> { ["expression"] = "1" })])));
            });
        }

        var outcome = await RunAsync(llm, CrewWith(new CrewBudget { MaxDuration = TimeSpan.FromSeconds(45) }), time: time);

        outcome.Error.ShouldBe("Budget exceeded: 60.0 of 45.0 seconds");
        llm.Calls.Count.ShouldBe(2);
        _sink.All<ToolUsageStarted>().Count.ShouldBe(1);
    }

    [Fact]
    public async Task TimeWorkedBeforeThisStart_CountsTowardsTheDuration()
    {
        var llm = ToolLoop(1);

        var outcome = await RunAsync(llm, CrewWith(new CrewBudget { MaxDuration = TimeSpan.FromMinutes(1) }), RunCheckpoint.Empty with { Worked = TimeSpan.FromMinutes(2) });

        outcome.Error!.ShouldStartWith("Budget exceeded: ");
        outcome.Error.ShouldEndWith(" of 60.0 seconds");
        llm.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task WhatTheRunSpentBeforeThisStart_CountsOnce()
    {
        var llm = ToolLoop(5);

        var outcome = await RunAsync(llm, CrewWith(new CrewBudget { MaxTotalTokens = 60 }), RunCheckpoint.Empty with { Spent = new RunSpend(30, 2, 0.03m) });

        outcome.Error.ShouldBe("Budget exceeded: 76 of 60 tokens");
        llm.Calls.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ParallelTasks_NeverMakeMoreCallsThanTheCallBudget()
    {
        var threeAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var llm = new FakeChatClient();
        for (var i = 0; i < 4; i++)
        {
            llm.Then(async (_, token) =>
            {
                // No call answers before three are in flight: without the reservation a fourth would start meanwhile.
                await threeAsked.Task.WaitAsync(token);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "Final Answer: ok"));
            });
        }

        var crew = Crew(
            [Agent("a")],
            Task("t1", "a") with { AsyncExecution = true },
            Task("t2", "a") with { AsyncExecution = true },
            Task("t3", "a") with { AsyncExecution = true },
            Task("t4", "a") with { AsyncExecution = true }) with { Llm = Model, Budget = new CrewBudget { MaxLlmCalls = 3 } };
        var run = RunAsync(llm, crew);
        await Muster.Testing.Eventually.Until(() => llm.Calls.Count >= 3 || run.IsCompleted, "three calls are in flight");
        threeAsked.SetResult();

        var outcome = await run;

        outcome.Error.ShouldBe("Budget exceeded: 3 of 3 LLM calls");
        llm.Calls.Count.ShouldBe(3);
    }
}
