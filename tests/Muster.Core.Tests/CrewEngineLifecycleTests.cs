using Microsoft.Extensions.AI;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Llm;
using Muster.Testing;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

public sealed class CrewEngineLifecycleTests
{
    private static TaskOutput Done(string name, string raw) => new()
    {
        Name = name, Description = "d", ExpectedOutput = "e", Summary = "d...", Raw = raw, Agent = "Researcher",
        Usage = new TokenUsage(100, 50, 0, 1), ExecutionTimeSeconds = 2,
    };

    [Fact]
    public async Task RunAsync_FromCheckpoint_SkipsFinishedTasksAndUsesTheirOutputs()
    {
        var llm = new FakeChatClient().Reply("third");
        var sink = new RecordingSink();
        var crew = Crew([Agent("a")], Task("one", "a"), Task("two", "a"), Task("three", "a"));
        var checkpoint = new RunCheckpoint { CompletedTasks = [Done("one", "first"), Done("two", "second")], LastSequence = 20 };

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, checkpoint, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed);
        llm.Calls.ShouldHaveSingleItem().Messages[1].Text.ShouldContain("first");
        sink.All<TaskStarted>().Select(e => e.TaskName).ShouldBe(["three"]);
        sink.Events[0].Sequence.ShouldBe(21);
        sink.Events[0].Data.ShouldBeOfType<CrewKickoffStarted>().Resumed.ShouldBeTrue();
        outcome.Output!.TasksOutput.Select(t => t.Raw).ShouldBe(["first", "second", "third"]);
        outcome.Output.Usage.ShouldBe(new TokenUsage(210, 105, 0, 3, 0.0000045m));
    }

    [Fact]
    public async Task RunAsync_HumanInputTask_PausesWithItsOutput()
    {
        var sink = new RecordingSink();
        var crew = Crew([Agent("a")], Task("review_me", "a", humanInput: true), Task("after", "a"));

        var outcome = await NewEngine(new FakeLlmProvider(new FakeChatClient().Reply("draft"))).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.AwaitingHuman);
        outcome.PendingReview!.Raw.ShouldBe("draft");
        var paused = sink.Events[^1];
        paused.Type.ShouldBe("task_awaiting_human");
        var awaiting = paused.Data.ShouldBeOfType<TaskAwaitingHuman>();
        awaiting.Output.ShouldBe("draft");
        awaiting.TaskId.ShouldBe("review_me");
        sink.Types.ShouldNotContain("task_completed");
    }

    [Fact]
    public async Task RunAsync_Approved_CompletesPendingTaskWithoutRerunningIt()
    {
        var llm = new FakeChatClient().Reply("after-output");
        var sink = new RecordingSink();
        var crew = Crew([Agent("a")], Task("review_me", "a", humanInput: true), Task("after", "a"));
        var checkpoint = new RunCheckpoint { PendingReview = Done("review_me", "draft"), Review = new HumanReview("review_me", "fine", true), LastSequence = 9 };

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, checkpoint, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed);
        llm.Calls.ShouldHaveSingleItem().Messages[1].Text.ShouldContain("draft");
        sink.All<TaskCompleted>()[0].Output.ShouldBe("draft");
        outcome.Output!.TasksOutput.Select(t => t.Raw).ShouldBe(["draft", "after-output"]);
    }

    [Fact]
    public async Task RunAsync_Rejected_RerunsWithFeedbackAndPausesAgain()
    {
        var llm = new FakeChatClient().Reply("better draft");
        var sink = new RecordingSink();
        var crew = Crew([Agent("a")], Task("review_me", "a", humanInput: true));
        var checkpoint = new RunCheckpoint { PendingReview = Done("review_me", "weak draft"), Review = new HumanReview("review_me", "Add sources", false) };

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, checkpoint, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.AwaitingHuman);
        outcome.PendingReview!.Raw.ShouldBe("better draft");
        var prompt = llm.Calls.ShouldHaveSingleItem().Messages[1].Text;
        prompt.ShouldContain("weak draft");
        prompt.ShouldContain("Add sources");
    }

    [Fact]
    public async Task RunAsync_Rejected_TheRedoneOutputCarriesTheRejectedAttemptsUsage()
    {
        var sink = new RecordingSink();
        var crew = Crew([Agent("a")], Task("review_me", "a", humanInput: true));
        var checkpoint = new RunCheckpoint { PendingReview = Done("review_me", "weak draft"), Review = new HumanReview("review_me", "Add sources", false) };

        var outcome = await NewEngine(new FakeLlmProvider(new FakeChatClient().Reply("better draft", 10, 5))).RunAsync(
            Guid.NewGuid(), crew, checkpoint, sink, CancellationToken.None);

        // 100/50 in one call for the rejected draft (recorded at no cost), 10/5 in one for the new one (gpt-4o-mini at the shipped
        // $0.15/$0.60 per million): the run paid for both.
        outcome.PendingReview!.Usage.ShouldBe(new TokenUsage(110, 55, 0, 2, 0.0000045m));
        sink.Single<TaskAwaitingHuman>().TaskOutput.Usage.ShouldBe(new TokenUsage(110, 55, 0, 2, 0.0000045m));
    }

    [Fact]
    public async Task RunAsync_RejectedThenApproved_TheRunsTokenUsageCountsEveryAttempt()
    {
        var sink = new RecordingSink();
        var crew = Crew([Agent("a")], Task("review_me", "a", humanInput: true), Task("after", "a"));
        var rejected = new RunCheckpoint { PendingReview = Done("review_me", "weak draft"), Review = new HumanReview("review_me", "Add sources", false) };
        var paused = await NewEngine(new FakeLlmProvider(new FakeChatClient().Reply("better draft", 10, 5))).RunAsync(
            Guid.NewGuid(), crew, rejected, new RecordingSink(), CancellationToken.None);
        var approved = new RunCheckpoint { PendingReview = paused.PendingReview, Review = new HumanReview("review_me", "good", true) };

        var outcome = await NewEngine(new FakeLlmProvider(new FakeChatClient().Reply("after-output", 1, 1))).RunAsync(
            Guid.NewGuid(), crew, approved, sink, CancellationToken.None);

        outcome.Output!.Usage.ShouldBe(new TokenUsage(111, 56, 0, 3, 0.00000525m));
        var usage = sink.Single<CrewKickoffCompleted>().Usage;
        usage.PromptTokens.ShouldBe(111);
        usage.SuccessfulRequests.ShouldBe(3);
    }

    [Fact]
    public async Task RunAsync_ApprovedThenTheNextTaskFails_TheFailuresTokenUsageCountsTheApprovedAttempt()
    {
        var sink = new RecordingSink();
        var crew = Crew([Agent("a")], Task("review_me", "a", humanInput: true), Task("after", "a"));
        var checkpoint = new RunCheckpoint { PendingReview = Done("review_me", "draft"), Review = new HumanReview("review_me", "fine", true) };
        var failing = new FakeChatClient().Then((_, _) => throw new InvalidOperationException("the provider broke"));

        var outcome = await NewEngine(new FakeLlmProvider(failing)).RunAsync(Guid.NewGuid(), crew, checkpoint, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        sink.Single<CrewKickoffFailed>().Usage.PromptTokens.ShouldBe(100);
    }

    [Fact]
    public async Task RunAsync_PendingReviewWithoutAnswer_StaysPausedAndEmitsNothing()
    {
        var sink = new RecordingSink();
        var checkpoint = new RunCheckpoint { PendingReview = Done("t", "x") };

        var outcome = await NewEngine(new FakeLlmProvider(new FakeChatClient())).RunAsync(
            Guid.NewGuid(), Crew([Agent("a")], Task("t", "a", humanInput: true)), checkpoint, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.AwaitingHuman);
        sink.Events.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_CancelledMidCall_StopsPromptlyAndEmitsNothingMore()
    {
        using var cts = new CancellationTokenSource();
        var callStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var llm = new FakeChatClient().Then(async (_, token) =>
        {
            callStarted.SetResult();
            await System.Threading.Tasks.Task.Delay(Timeout.Infinite, token);
            return new ChatResponse();
        });
        var sink = new RecordingSink();
        var run = NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), Crew([Agent("a")], Task("t", "a"), Task("u", "a")), RunCheckpoint.Empty, sink, cts.Token);

        await callStarted.Task;
        var eventsBefore = sink.Events.Count;
        await cts.CancelAsync();
        var outcome = await run.WaitAsync(Eventually.DefaultLimit);

        outcome.Kind.ShouldBe(RunOutcomeKind.Stopped);
        sink.Events.Count.ShouldBe(eventsBefore);
        sink.Types.Last().ShouldBe("llm_call_started");
    }

    [Fact]
    public async Task RunAsync_LlmFailure_FailsTaskAndCrewWithProviderMessage()
    {
        var llm = new FakeChatClient().Then((_, _) => throw new LlmProviderException("LLM provider 'openai' answered HTTP 500: boom (gave up after 6 attempts)", 500));
        var sink = new RecordingSink();

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), Crew([Agent("a")], Task("t", "a")), RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldContain("answered HTTP 500: boom");
        sink.Types.TakeLast(4).ShouldBe(["llm_call_failed", "agent_execution_error", "task_failed", "crew_kickoff_failed"]);
        sink.Single<CrewKickoffFailed>().Error.ShouldContain("boom");
    }

    [Fact]
    public async Task RunAsync_UnknownProvider_FailsTheTaskWithAClearMessage()
    {
        var sink = new RecordingSink();
        var crew = Crew([Agent("a") with { Llm = "missing/model-x" }], Task("t", "a"));

        var outcome = await NewEngine(new FakeLlmProvider(new FakeChatClient())).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        sink.Single<TaskFailed>().Error.ShouldContain("Unknown LLM provider 'missing'");
    }

    [Fact]
    public async Task RunAsync_ModelResolution_AgentWinsOverCrew()
    {
        var provider = new FakeLlmProvider(new FakeChatClient().Reply("x").Reply("y"));
        var crew = Crew([Agent("a") with { Llm = "ollama/llama3.1" }, Agent("b")], Task("t", "a"), Task("u", "b")) with { Llm = "groq/mixtral" };

        await NewEngine(provider).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, new RecordingSink(), CancellationToken.None);

        provider.Providers.ShouldBe(["ollama", "groq"]);
    }

    [Fact]
    public async Task RunAsync_OutputFile_IsWrittenInsideTheRunsOwnFolder()
    {
        using var folder = new TempFolder();
        var crew = Crew([Agent("a")], Task("t", "a", outputFile: "reports/out.md"));

        var runId = Guid.NewGuid();

        await NewEngine(new FakeLlmProvider(new FakeChatClient().Reply("# Report")), outputRoot: folder.Path)
            .RunAsync(runId, crew, RunCheckpoint.Empty, new RecordingSink(), CancellationToken.None);

        File.ReadAllText(Path.Combine(folder.Path, runId.ToString(), "reports", "out.md")).ShouldBe("# Report");
        Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task RunAsync_OutputFileThatCannotBeWritten_FailsTheTaskSayingSo_AndRecordsNoResult()
    {
        using var folder = new TempFolder();
        var runId = Guid.NewGuid();
        // A folder already stands where the file should go, so writing it fails after the task has its answer.
        Directory.CreateDirectory(Path.Combine(folder.Path, runId.ToString(), "reports", "out.md"));
        var sink = new RecordingSink();

        var outcome = await NewEngine(new FakeLlmProvider(new FakeChatClient().Reply("# Report")), outputRoot: folder.Path)
            .RunAsync(runId, Crew([Agent("a")], Task("t", "a", outputFile: "reports/out.md")), RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldContain("Could not write output_file 'reports/out.md'");
        sink.Types.ShouldContain(RunEventTypes.TaskFailed);
        sink.Types.ShouldNotContain(RunEventTypes.TaskCompleted);
        sink.Types.Last().ShouldBe(RunEventTypes.CrewKickoffFailed);
    }

    [Theory]
    [InlineData("../escape.md")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b.md")]
    public async Task RunAsync_OutputFileEscapingTheRoot_FailsBeforeCallingTheLlm(string path)
    {
        using var folder = new TempFolder();
        var llm = new FakeChatClient();
        var sink = new RecordingSink();

        var outcome = await NewEngine(new FakeLlmProvider(llm), outputRoot: folder.Path)
            .RunAsync(Guid.NewGuid(), Crew([Agent("a")], Task("t", "a", outputFile: path)), RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldContain("refused");
        llm.Calls.ShouldBeEmpty();
    }
}
