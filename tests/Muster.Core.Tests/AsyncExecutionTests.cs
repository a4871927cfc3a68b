using Muster.Core.Engine;
using Muster.Simulator;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

/// <summary>Tasks with async_execution, through the simulator over HTTP.</summary>
public sealed class AsyncExecutionTests : IAsyncLifetime
{
    private SimulatedEngine _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatedEngine.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private static string TaskOf(SimulatedRequest request) =>
        new[] { "alpha", "beta", "gamma", "delta" }.First(name => request.LastUserMessage!.Contains($"Do the {name} work", StringComparison.Ordinal));

    [Fact]
    public async Task AsyncTasks_RunTogether_AndJoinIntoTheContextOfTheTaskThatNeedsThem()
    {
        var betaAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sim.Simulator.Responder = request =>
        {
            switch (TaskOf(request))
            {
                case "alpha":
                    // alpha answers only once beta has been asked: this finishes only if both run at once.
                    return SimulatedReply.WhenSignalled(betaAsked.Task, SimulatedReply.Text("ALPHA-OUT"));
                case "beta":
                    betaAsked.TrySetResult();
                    return SimulatedReply.Text("BETA-OUT");
                default:
                    return SimulatedReply.Text("GAMMA-OUT");
            }
        };
        var crew = Crew(
            [Agent("a"), Agent("b")],
            Task("alpha", "a") with { AsyncExecution = true },
            Task("beta", "b") with { AsyncExecution = true },
            Task("gamma", "a", context: ["alpha", "beta"]));

        var outcome = await _sim.RunAsync(crew);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        outcome.Output!.TasksOutput.Select(t => t.Raw).ShouldBe(["ALPHA-OUT", "BETA-OUT", "GAMMA-OUT"]);
        var gamma = _sim.Simulator.Requests.Single(r => TaskOf(r) == "gamma").LastUserMessage!;
        gamma.ShouldContain("ALPHA-OUT");
        gamma.ShouldContain("BETA-OUT");
        var events = _sim.Sink.Events;
        events.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        var gammaStarted = events.FindIndex(e => e.Data is TaskStarted { TaskName: "gamma" });
        events.Take(gammaStarted).Count(e => e.Type == "task_completed").ShouldBe(2);
        events[^1].Type.ShouldBe("crew_kickoff_completed");
    }

    [Fact]
    public async Task AsyncTaskFailure_FailsTheRun_AndStopsTheTaskRunningBesideIt()
    {
        _sim.Simulator.Responder = request => TaskOf(request) == "alpha"
            ? SimulatedReply.Error(400, "alpha's prompt is not acceptable")
            : SimulatedReply.Hang();
        var crew = Crew([Agent("a"), Agent("b")], Task("alpha", "a") with { AsyncExecution = true }, Task("beta", "b", context: []));

        var outcome = await _sim.RunAsync(crew);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldStartWith("Task 'alpha' failed:");
        outcome.Error.ShouldContain("alpha's prompt is not acceptable");
        _sim.Sink.Events[^1].Type.ShouldBe("crew_kickoff_failed");
        _sim.Sink.Types.ShouldNotContain("task_completed");
        // Both tasks started, and both end: alpha with its own error, beta stopped because of it, before the run's end.
        var failures = _sim.Sink.All<TaskFailed>().ToDictionary(e => e.TaskName, e => e.Error);
        failures.Keys.ShouldBe(["alpha", "beta"], ignoreOrder: true);
        failures["alpha"].ShouldContain("alpha's prompt is not acceptable");
        failures["beta"].ShouldBe(TaskPipeline.StoppedByAnotherTask);
        _sim.Sink.Events.Count(e => e.Type == "task_started").ShouldBe(2);
    }

    [Fact]
    public async Task Resume_SkipsAsyncTasksThatFinished_AndStillGivesTheirOutputAsContext()
    {
        _sim.Simulator.Responder = request => SimulatedReply.Text(TaskOf(request).ToUpperInvariant() + "-OUT");
        var crew = Crew(
            [Agent("a")],
            Task("alpha", "a") with { AsyncExecution = true },
            Task("beta", "a") with { AsyncExecution = true },
            Task("gamma", "a"));
        var recorded = new TaskOutput
        {
            Name = "alpha", Description = "d", ExpectedOutput = "e", Summary = "s", Raw = "RECORDED-ALPHA", Agent = "Researcher",
        };

        var outcome = await _sim.RunAsync(crew, RunCheckpoint.Empty with { CompletedTasks = [recorded], LastSequence = 12 });

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        _sim.Simulator.Requests.Select(TaskOf).ShouldBe(["beta", "gamma"]);
        _sim.Simulator.Requests[1].LastUserMessage!.ShouldContain("RECORDED-ALPHA");
        _sim.Simulator.Requests[1].LastUserMessage!.ShouldContain("BETA-OUT");
        _sim.Sink.Events[0].Sequence.ShouldBe(13);
    }
}
