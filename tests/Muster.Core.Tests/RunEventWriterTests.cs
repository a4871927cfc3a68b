using System.Text.Json.Nodes;
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

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () => await writer.PublishAsync("agent_step", new JsonObject { ["i"] = i }))));

        sink.Sequences.ShouldBe(Enumerable.Range(8, 200).Select(i => (long)i));
    }

    [Fact]
    public async Task PublishAsync_PastTheLimit_RefusesTheEvent_ButStillReportsFailures()
    {
        var sink = new RecordingSink();
        // 100 recorded before (the inputs), 20 left: {"n":"0123456789"} takes 18 bytes.
        using var writer = new RunEventWriter(Guid.NewGuid(), new RunCheckpoint { LastSequence = 3, RecordedBytes = 100 }, 120, InputTexts.None, sink, TimeProvider.System, CancellationToken.None);

        await writer.PublishAsync(RunEventTypes.AgentStep, new JsonObject { ["n"] = "0123456789" });
        var refused = await Should.ThrowAsync<RunLimitExceededException>(() => writer.PublishAsync(RunEventTypes.AgentStep, new JsonObject { ["n"] = "0123456789" }).AsTask());
        await writer.PublishAsync(RunEventTypes.TaskFailed, new JsonObject { ["error"] = refused.Message });
        await writer.PublishAsync(RunEventTypes.CrewKickoffFailed, new JsonObject { ["error"] = refused.Message });

        refused.Message.ShouldContain("Muster:Limits:MaxRunBytes");
        refused.Message.ShouldContain("118");
        sink.Types.ShouldBe([RunEventTypes.AgentStep, RunEventTypes.TaskFailed, RunEventTypes.CrewKickoffFailed]);
        sink.Events.Select(e => e.Sequence).ShouldBe([4L, 5, 6], "a refused event takes no sequence number");
    }

    [Fact]
    public async Task PublishAsync_CountsALongInputAsTheStoreKeepsIt_OnceInTheRunsRow()
    {
        var topic = new string('x', 10_000);
        var inputs = InputTexts.From(new JsonObject { ["topic"] = topic }.ToJsonString());
        var sink = new RecordingSink();
        using var writer = new RunEventWriter(Guid.NewGuid(), RunCheckpoint.Empty, 1_000, inputs, sink, TimeProvider.System, CancellationToken.None);

        for (var i = 0; i < 20; i++)
        {
            await writer.PublishAsync(RunEventTypes.AgentStep, new JsonObject { ["prompt"] = $"Research {topic}." });
        }

        sink.Events.Count.ShouldBe(20);
        sink.Events[0].Data["prompt"]!.GetValue<string>().ShouldBe($"Research {topic}.", "the event itself is whole");
    }
}
