using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Muster.Core.Engine;
using Muster.Server.Runs;
using Muster.Storage;
using Muster.Storage.Notifications;

namespace Muster.Server.Protocols;

/// <summary>One stored event of a run as a protocol adapter reads it: its sequence, CrewAI type and data.</summary>
internal sealed record ProtocolEvent(long Sequence, string Type, JsonObject Data)
{
    public bool IsTerminal => Type is RunEventTypes.CrewKickoffCompleted or RunEventTypes.CrewKickoffFailed;

    public bool IsPause => Type == RunEventTypes.TaskAwaitingHuman;

    public string? Text(string name) => Data[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>
/// Reads a run's events from the store as they commit, as the SSE stream does: the bus only says when to read again, and
/// a read every few seconds covers a lost notification. Ends after the terminal event or a pause for review.
/// </summary>
internal static class RunWatcher
{
    private const int PageSize = 200;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    public static async IAsyncEnumerable<ProtocolEvent> WatchAsync(
        RunService runs, IRunEventSignals signals, Guid runId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var hints = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        var listening = ListenAsync(signals, runId, hints.Writer, stop.Token);
        try
        {
            var last = afterSequence;
            while (true)
            {
                IReadOnlyList<RunEventRecord> page;
                do
                {
                    page = await runs.GetEventsAsync(runId, last, PageSize, cancellationToken);
                    foreach (var record in page)
                    {
                        last = record.Sequence;
                        var data = JsonNode.Parse(record.Data) as JsonObject ?? [];
                        var item = new ProtocolEvent(record.Sequence, record.Type, data);
                        yield return item;
                        if (item.IsTerminal || item.IsPause)
                        {
                            yield break;
                        }
                    }
                }
                while (page.Count == PageSize);

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(Poll);
                try
                {
                    await hints.Reader.WaitToReadAsync(wait.Token);
                    hints.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // No notification within the poll interval: read the store all the same.
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await listening;
        }
    }

    private static async Task ListenAsync(IRunEventSignals signals, Guid runId, ChannelWriter<long> hints, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var sequence in signals.SubscribeAsync(runId, cancellationToken))
            {
                hints.TryWrite(sequence);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watch ended; so does its subscription.
        }
    }
}
