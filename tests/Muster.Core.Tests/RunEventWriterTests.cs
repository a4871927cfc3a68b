using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;

namespace Muster.Core.Tests;

public sealed class RunEventWriterTests
{
    /// <summary>A sink that gives up its thread while recording, as a database sink does.</summary>
    private sealed class SlowSink : IRunSink
    {
        public List<long> Sequences { get; } = [];

        public async ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
        {
            await Task.Yield();
            lock (Sequences)
            {
                Sequences.Add(runEvent.Sequence);
            }
        }
    }

    [Fact]
    public async Task PublishAsync_FromManyTasksAtOnce_KeepsOneGapFreeSequenceInOrder()
    {
        var sink = new SlowSink();
        using var writer = new RunEventWriter(Guid.NewGuid(), new RunCheckpoint { LastSequence = 7 }, null, InputTexts.None, sink, TimeProvider.System, CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () => await writer.PublishAsync(new TaskStarted { TaskName = $"task_{i}", Agent = "a", Description = "d" }))));

        sink.Sequences.ShouldBe(Enumerable.Range(8, 200).Select(i => (long)i));
    }

    [Fact]
    public async Task PublishAsync_PastTheLimit_RefusesTheEvent_ButStillReportsFailures()
    {
        var sink = new RecordingSink();
        // 100 recorded before (the inputs); room left for one task_failed and 10 bytes, which no agent_step fits in.
        var failed = new TaskFailed("t", "a", "0123456789");
        var size = System.Text.Encoding.UTF8.GetByteCount(RunEventJson.Serialize(failed));
        using var writer = new RunEventWriter(Guid.NewGuid(), new RunCheckpoint { LastSequence = 3, RecordedBytes = 100 }, 100 + size + 10, InputTexts.None, sink, TimeProvider.System, CancellationToken.None);
        var step = new AgentStep("t", "a", "p", "0123456789", "", "", "");

        await writer.PublishAsync(new TaskFailed("t", "a", "0123456789"));
        var refused = await Should.ThrowAsync<RunLimitExceededException>(() => writer.PublishAsync(step).AsTask());
        await writer.PublishAsync(new TaskFailed("t", "a", refused.Message));
        await writer.PublishAsync(new CrewKickoffFailed(refused.Message, Stopped: false, TokenUsage.Zero, 1));

        refused.Message.ShouldContain("Muster:Limits:MaxRunBytes");
        refused.Message.ShouldContain($"{100 + size:N0}");
        sink.Types.ShouldBe([RunEventTypes.TaskFailed, RunEventTypes.TaskFailed, RunEventTypes.CrewKickoffFailed]);
        sink.Events.Select(e => e.Sequence).ShouldBe([4L, 5, 6], "a refused event takes no sequence number");
    }

    [Fact]
    public async Task PublishAsync_CountsALongInputAsTheStoreKeepsIt_OnceInTheRunsRow()
    {
        var topic = new string('x', 10_000);
        var inputs = InputTexts.From(new JsonObject { ["topic"] = topic }.ToJsonString());
        var sink = new RecordingSink();
        using var writer = new RunEventWriter(Guid.NewGuid(), RunCheckpoint.Empty, 5_000, inputs, sink, TimeProvider.System, CancellationToken.None);

        for (var i = 0; i < 20; i++)
        {
            await writer.PublishAsync(new AgentStep("t", "a", $"Research {topic}.", "thought", "", "", ""));
        }

        sink.Events.Count.ShouldBe(20);
        sink.All<AgentStep>()[0].Prompt.ShouldBe($"Research {topic}.", "the event itself is whole");
    }

    [Fact]
    public async Task AWriterWithALimit_KeepsNoMeasuringBufferOfItsOwn()
    {
        // A run holds its writer for its whole life: with 10,000 runs in flight, a 4 KiB buffer each was 40 MB that every
        // collection promoting them copied. The measuring is per thread: a hundred writers on this one allocate no buffer.
        var sink = new RecordingSink();
        var started = new TaskStarted { TaskName = "research", Agent = "Researcher", Description = "Find the facts." };
        await PublishOnceAsync(sink, started);
        sink.Events.Capacity = 1_000;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            await PublishOnceAsync(sink, started);
        }

        var perWriter = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        sink.Events.Count.ShouldBe(101);
        perWriter.ShouldBeLessThan(2_048, "a writer, its gate and one event, measured against the limit");
    }

    // The sink completes at once, so the whole publish runs on this thread.
    private static async Task PublishOnceAsync(RecordingSink sink, RunEventData data)
    {
        using var writer = new RunEventWriter(Guid.NewGuid(), RunCheckpoint.Empty, 1_000_000, InputTexts.None, sink, TimeProvider.System, CancellationToken.None);
        await writer.PublishAsync(data);
    }
}
