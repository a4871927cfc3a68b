using Muster.Core.Crews;
using System.Text.Json.Nodes;
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
}
