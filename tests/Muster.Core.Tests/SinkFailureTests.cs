using Muster.Core.Engine;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

/// <summary>
/// A sink that cannot record an event (its store failed, another node took the run) is no verdict on the crew: the engine
/// stops driving the run and says so with <see cref="RunSinkException"/>, writing no failure of a task or of the crew.
/// </summary>
public sealed class SinkFailureTests
{
    [Theory]
    [InlineData(RunEventTypes.CrewKickoffStarted)]
    [InlineData(RunEventTypes.AgentExecutionStarted)]
    [InlineData(RunEventTypes.LlmCallStarted)]
    [InlineData(RunEventTypes.LlmCallCompleted)]
    [InlineData(RunEventTypes.AgentStep)]
    [InlineData(RunEventTypes.TaskCompleted)]
    [InlineData(RunEventTypes.CrewKickoffCompleted)]
    public async Task ASinkFailure_EndsTheRunWithRunSinkException_AndRecordsNoFailure(string failingType)
    {
        var sink = new FailingSink(failingType, new TimeoutException("the store did not answer"));
        var crew = Crew([Agent("a")], Task("first", "a"), Task("second", "a"));
        var engine = NewEngine(new FakeLlmProvider(new FakeChatClient().Reply("one").Reply("two")));

        var thrown = await Should.ThrowAsync<RunSinkException>(() => engine.RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, sink, CancellationToken.None));

        thrown.InnerException.ShouldBeOfType<TimeoutException>();
        sink.Attempts.ShouldBe(1, "nothing is published after the sink failed");
        sink.Recorded.ShouldNotContain(RunEventTypes.TaskFailed);
        sink.Recorded.ShouldNotContain(RunEventTypes.CrewKickoffFailed);
        sink.Recorded.ShouldNotContain(RunEventTypes.AgentExecutionError);
    }

    [Fact]
    public async Task ASinkFailureInsideADelegatedTask_IsNotTakenForAToolError()
    {
        var manager = Agent("lead", "Lead") with { AllowDelegation = true };
        var crew = Crew([manager, Agent("helper", "Helper")], Task("work", "lead"));
        var llm = new FakeChatClient()
            .ToolCalls(("delegate_work_to_coworker", new Dictionary<string, object?> { ["task"] = "Help", ["context"] = "Now", ["coworker"] = "Helper" }))
            .Reply("helped")
            .Reply("done");
        // The helper's turn starts with agent_execution_started: the second one of the run.
        var sink = new FailingSink(RunEventTypes.AgentExecutionStarted, new TimeoutException("the store did not answer"), occurrence: 2);

        await Should.ThrowAsync<RunSinkException>(() => NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, sink, CancellationToken.None));

        sink.Recorded.ShouldNotContain(RunEventTypes.ToolUsageError);
        sink.Recorded.ShouldNotContain(RunEventTypes.TaskFailed);
        sink.Recorded.ShouldNotContain(RunEventTypes.CrewKickoffFailed);
    }

    /// <summary>Records events until the <c>occurrence</c>th event of one type, which it refuses with <c>failure</c>, and everything after.</summary>
    private sealed class FailingSink(string failingType, Exception failure, int occurrence = 1) : IRunSink
    {
        private int _seen;

        public List<string> Recorded { get; } = [];

        public int Attempts { get; private set; }

        public ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
        {
            lock (Recorded)
            {
                if (Attempts > 0 || (runEvent.Type == failingType && ++_seen == occurrence))
                {
                    Attempts++;
                    throw failure;
                }

                Recorded.Add(runEvent.Type);
                return ValueTask.CompletedTask;
            }
        }
    }
}
