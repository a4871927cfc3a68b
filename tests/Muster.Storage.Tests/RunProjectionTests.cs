using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>The one rule by which an event changes its run, case by case.</summary>
public sealed class RunProjectionTests
{
    private static readonly DateTimeOffset At = T0.AddMinutes(3);
    private static readonly TaskOutput Draft = Output("task_1", "draft");
    private static readonly TaskOutput SecondDraft = Output("task_2", "second draft");
    private static readonly HumanReview Approval = new("task_1", "Fine.", Approved: true);

    /// <summary>A run executing on node-a, with one task done, paused work on task_1 approved and waiting to be acted on.</summary>
    private static readonly RunRecord Running = new()
    {
        Id = Guid.Parse("0190f0aa-1111-7222-8333-444455556666"),
        CrewName = "research",
        Crew = Crew(),
        Inputs = [],
        OwnerId = "org",
        TokenId = "tok_org",
        CorrelationId = "corr-1",
        State = RunState.Running,
        CompletedTasks = 1,
        TotalTasks = 3,
        CurrentTask = "task_0",
        Usage = new TokenUsage(100, 50, 0, 2),
        CreatedAt = T0,
        StartedAt = T0.AddMinutes(1),
        PendingReview = Draft,
        Review = Approval,
        LastSequence = 7,
        LeaseOwner = "node-a",
        LeaseExpiresAt = T0.AddMinutes(5),
    };

    private static readonly JsonObject Answer = new() { ["answer"] = 42 };

    public static TheoryData<Case> Cases =>
    [
        new("a progress event moves only the sequence",
            new LlmCallStarted("task_2", "Writer", "sim/test-model"),
            run => run with { LastSequence = 8 }),
        new("a task starting becomes the current task",
            new TaskStarted { TaskName = "task_2", Agent = "Writer", Description = "Do task_2" },
            run => run with { LastSequence = 8, CurrentTask = "task_2" }),
        new("the task awaiting review starting again acts on the review",
            new TaskStarted { TaskName = "task_1", Agent = "Writer", Description = "Do task_1" },
            run => run with { LastSequence = 8, CurrentTask = "task_1", PendingReview = null, Review = null }),
        new("a task completing counts it and adds its usage",
            new TaskCompleted(Output("task_2")),
            run => run with { LastSequence = 8, CompletedTasks = 2, Usage = new TokenUsage(110, 55, 2, 3) }),
        new("the task awaiting review completing acts on the review",
            new TaskCompleted(Draft),
            run => run with { LastSequence = 8, CompletedTasks = 2, Usage = new TokenUsage(110, 55, 2, 3), PendingReview = null, Review = null }),
        new("a task failing changes nothing but the sequence (the run's end says why)",
            new TaskFailed("task_2", "Writer", "boom"),
            run => run with { LastSequence = 8 }),
        new("a task awaiting a human pauses the run, held by no node",
            new TaskAwaitingHuman(SecondDraft),
            run => run with { LastSequence = 8, State = RunState.AwaitingHuman, PendingReview = SecondDraft, LeaseOwner = null, LeaseExpiresAt = null }),
        new("the crew completing finishes the run with its result and usage, at the event's time",
            new CrewKickoffCompleted("final", Answer, new TokenUsage(300, 90, 10, 6), 12.5),
            run => run with
            {
                LastSequence = 8, State = RunState.Completed, Result = "final", ResultJson = Answer, Usage = new TokenUsage(300, 90, 10, 6),
                CompletedAt = At, LeaseOwner = null, LeaseExpiresAt = null,
            }),
        new("the crew failing fails the run with its error",
            new CrewKickoffFailed("Task 'task_2' failed: boom", Stopped: false, new TokenUsage(120, 60, 0, 3), 4),
            run => run with
            {
                LastSequence = 8, State = RunState.Failed, Error = "Task 'task_2' failed: boom", Usage = new TokenUsage(120, 60, 0, 3),
                CompletedAt = At, LeaseOwner = null, LeaseExpiresAt = null,
            }),
        new("a stop ends the run as stopped",
            new CrewKickoffFailed("Stopped by org at 12:03", Stopped: true, new TokenUsage(100, 50, 0, 2), 120),
            run => run with
            {
                LastSequence = 8, State = RunState.Stopped, Error = "Stopped by org at 12:03", CompletedAt = At, LeaseOwner = null, LeaseExpiresAt = null,
            }),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_GivesTheRunAfterTheEvent(Case @case)
    {
        var after = RunProjection.Apply(Running, Event(@case.Data));

        after.ShouldBe(@case.Expected(Running));
    }

    [Fact]
    public void Apply_IsPure_TheSameEventOnTheSameRunGivesTheSameRunAndLeavesTheInputAlone()
    {
        var before = Running with { };
        var completed = Event(new CrewKickoffCompleted("final", null, TokenUsage.Zero, 1));

        var first = RunProjection.Apply(Running, completed);
        var second = RunProjection.Apply(Running, completed);

        first.ShouldBe(second);
        Running.ShouldBe(before);
    }

    [Fact]
    public void TheStoresUpdate_IsTheDifferenceTheProjectionMakes()
    {
        var paused = RunProjection.Apply(Running, Event(new TaskAwaitingHuman(SecondDraft)));

        var update = RunUpdate.Between(Running, paused);

        update.ShouldBe(new RunUpdate { State = RunState.AwaitingHuman, PendingReview = SecondDraft, ReleaseLease = true });
        RunUpdate.Between(Running, RunProjection.Apply(Running, Event(new TaskCompleted(Draft))))
            .ShouldBe(new RunUpdate { CompletedTasks = 2, Usage = new TokenUsage(110, 55, 2, 3), ClearReview = true });
        RunUpdate.Between(Running, RunProjection.Apply(Running, Event(new AgentStep("task_2", "Writer", "p", "t", "", "", "r"))))
            .ShouldBe(new RunUpdate());
        RunUpdate.Between(Running, RunProjection.Apply(Running, Event(new AgentStep("task_2", "Writer", "p", "t", "", "", "r"))), leaseOwner: "node-a")
            .ShouldBe(new RunUpdate { LeaseOwner = "node-a" }, "an executing node's update is fenced by its lease");
    }

    private static RunEvent Event(RunEventData data) => new() { RunId = Running.Id, Sequence = 8, Timestamp = At, Data = data };

    /// <summary>One row of the table: an event, and what it makes of the run.</summary>
    public sealed record Case(string Name, RunEventData Data, Func<RunRecord, RunRecord> Expected)
    {
        public override string ToString() => Name;
    }
}
