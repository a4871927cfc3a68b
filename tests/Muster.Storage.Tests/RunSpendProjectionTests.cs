using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>What budgets count: every LLM call's usage once, and the time the run worked, its pauses for review left out.</summary>
public sealed class RunSpendProjectionTests
{
    private static readonly RunRecord Claimed = new()
    {
        Id = Guid.Parse("0190f0aa-1111-7222-8333-444455556677"),
        CrewName = "research",
        Crew = Crew(),
        Inputs = [],
        OwnerId = "org",
        TokenId = "tok_org",
        CorrelationId = "corr-1",
        State = RunState.Running,
        CreatedAt = T0,
        LeaseOwner = "node-a",
    };

    [Fact]
    public void EveryCallsUsage_IsSpent_AndOnlyWorkingTimeCounts()
    {
        var run = Claimed;
        long sequence = 0;
        RunRecord Apply(RunRecord on, TimeSpan at, RunEventData data) =>
            RunProjection.Apply(on, new RunEvent { RunId = on.Id, Sequence = ++sequence, Timestamp = T0 + at, Data = data });

        run = Apply(run, TimeSpan.Zero, new CrewKickoffStarted("research", [], 2));
        run = Apply(run, TimeSpan.FromSeconds(10), new LlmCallCompleted("t", "A", "m", new TokenUsage(300, 100, 0, 1, 0.01m)));
        run = Apply(run, TimeSpan.FromSeconds(20), new TaskAwaitingHuman(Output("t")));
        // An hour in review, then a node claims the run again (the store sets it running) and starts it.
        run = Apply(run with { State = RunState.Running }, TimeSpan.FromHours(1), new CrewKickoffStarted("research", [], 2, Resumed: true));
        run = Apply(run, TimeSpan.FromHours(1) + TimeSpan.FromSeconds(5), new LlmCallCompleted("t2", "A", "m", new TokenUsage(50, 50, 0, 1, 0.002m)));

        run.Spent.ShouldBe(new RunSpend(500, 2, 0.012m));
        run.Worked.ShouldBe(TimeSpan.FromSeconds(25));
    }

    [Fact]
    public void AStopOfAPausedRun_CountsNoWork()
    {
        var paused = Claimed with { State = RunState.AwaitingHuman, WorkMark = T0, Worked = TimeSpan.FromSeconds(3), LeaseOwner = null };

        var stopped = RunProjection.Apply(paused, new RunEvent
        {
            RunId = paused.Id, Sequence = 9, Timestamp = T0.AddDays(1), Data = new CrewKickoffFailed("Stopped.", Stopped: true, TokenUsage.Zero, 3),
        });

        stopped.Worked.ShouldBe(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void ACallOfAModelWithoutAPrice_MakesTheSpentCostUnknown()
    {
        var run = RunProjection.Apply(Claimed, new RunEvent
        {
            RunId = Claimed.Id, Sequence = 1, Timestamp = T0, Data = new LlmCallCompleted("t", "A", "m", new TokenUsage(1, 1, 0, 1, CostUsd: null)),
        });

        run.Spent.ShouldBe(new RunSpend(2, 1, null));
    }
}
