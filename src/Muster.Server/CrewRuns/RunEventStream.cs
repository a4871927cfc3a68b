using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Engine;
using Muster.Server.Runs;
using Muster.Storage;
using Muster.Storage.Notifications;

namespace Muster.Server.CrewRuns;

/// <summary>
/// Streams one run's events as server-sent events (<c>id:</c> = sequence, <c>event:</c> = type, <c>data:</c> =
/// the <see cref="Contracts.Runs.RunEventDto"/>) until its terminal event. The store is the only source of
/// events: bus notifications and heartbeats merely say when to read it again, so a lost notification
/// delays an event by at most one heartbeat and never drops it. While the store fails (busy, gone, full) the stream stays
/// open, with heartbeats, and reads again every few seconds: the client sees a pause, not a cut.
/// </summary>
internal sealed partial class RunEventStream(
    RunService runs,
    IRunEventSignals signals,
    IOptions<EventStreamOptions> options,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<RunEventStream> logger)
{
    private static readonly byte[] Heartbeat = Encoding.UTF8.GetBytes(": heartbeat\n\n");

    /// <summary>
    /// Streams until the run's terminal event, the client leaving (<paramref name="cancellationToken"/>) or the
    /// server stopping; in the last case the stream simply ends, and the client reconnects with Last-Event-ID.
    /// </summary>
    public async Task StreamAsync(HttpResponse response, RunRecord run, long afterSequence, CancellationToken cancellationToken)
    {
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await StreamUntilEndAsync(response, run, afterSequence, ending.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // An open stream would hold up shutdown until the host's timeout; ending it lets the server stop at once.
            LogStreamClosedForShutdown(logger, run.Id);
        }
    }

    private async Task StreamUntilEndAsync(HttpResponse response, RunRecord run, long afterSequence, CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies such as nginx buffer responses unless told otherwise.
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var hints = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        var listening = ListenAsync(run.Id, hints.Writer, stop.Token);
        try
        {
            // The last sequence sent, kept up to date event by event: a read that fails after a page went out resumes after it.
            var last = new StrongBox<long>(afterSequence);
            while (true)
            {
                try
                {
                    if (await SendStoredEventsAsync(response, run, last, cancellationToken))
                    {
                        LogStreamEnded(logger, run.Id, last.Value);
                        return;
                    }

                    if (!await WaitForHintAsync(hints.Reader, options.Value.HeartbeatInterval, cancellationToken))
                    {
                        await WriteHeartbeatAsync(response, cancellationToken);
                        if (!await runs.IsStoredAsync(run, cancellationToken))
                        {
                            // Deleted while we watched: nothing more will ever come.
                            return;
                        }
                    }
                }
                catch (StoreUnavailableException ex)
                {
                    // The heartbeat keeps proxies from closing a quiet stream, and shows whether the client is still there.
                    LogStoreWait(logger, run.Id, ex.Kind);
                    await WriteHeartbeatAsync(response, cancellationToken);
                    await WaitForHintAsync(hints.Reader, StoreRetry.Longest, cancellationToken);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await listening;
        }
    }

    private static async Task WriteHeartbeatAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Heartbeat, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Sends the stored events after <paramref name="last"/>, moving it on; true once the terminal event went out.</summary>
    private async Task<bool> SendStoredEventsAsync(HttpResponse response, RunRecord run, StrongBox<long> last, CancellationToken cancellationToken)
    {
        var pageSize = options.Value.PageSize;
        while (true)
        {
            var events = await runs.GetEventsAsync(run, last.Value, pageSize, cancellationToken);
            foreach (var runEvent in events)
            {
                await WriteEventAsync(response.Body, runEvent, cancellationToken);
                last.Value = runEvent.Sequence;
                if (CrewRunRecordMapper.IsTerminal(runEvent.Type))
                {
                    await response.Body.FlushAsync(cancellationToken);
                    return true;
                }
            }

            if (events.Count < pageSize)
            {
                await response.Body.FlushAsync(cancellationToken);
                return false;
            }
        }
    }

    /// <summary>Formats one event; JSON has no raw newlines, so <c>data:</c> is a single line.</summary>
    internal static async Task WriteEventAsync(Stream body, RunEventRecord runEvent, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(CrewRunRecordMapper.ToDto(runEvent), MusterJsonContext.Default.RunEventDto);
        var frame = $"id: {runEvent.Sequence}\nevent: {runEvent.Type}\ndata: {json}\n\n";
        await body.WriteAsync(Encoding.UTF8.GetBytes(frame), cancellationToken);
    }

    /// <summary>True when a notification arrived, false when <paramref name="wait"/> passed without one.</summary>
    private async Task<bool> WaitForHintAsync(ChannelReader<long> hints, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(wait, timeProvider, timeout.Token);
        var hint = hints.WaitToReadAsync(timeout.Token).AsTask();
        var first = await Task.WhenAny(delay, hint);
        await timeout.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        if (first == hint && hint.IsCompletedSuccessfully && hint.Result)
        {
            // The channel holds one hint at most; consuming it re-arms the wait.
            hints.TryRead(out _);
            return true;
        }

        return false;
    }

    private async Task ListenAsync(Guid runId, ChannelWriter<long> hints, CancellationToken cancellationToken)
    {
        // Yield so the caller reads the store while the subscription is set up.
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
            // The stream ended; so does its subscription.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event stream of run {RunId} closed: the server is stopping")]
    private static partial void LogStreamClosedForShutdown(ILogger logger, Guid runId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event stream of run {RunId} waits for the store ({Kind}); it stays open")]
    private static partial void LogStoreWait(ILogger logger, Guid runId, StoreFailureKind kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event stream of run {RunId} ended after sequence {Sequence}")]
    private static partial void LogStreamEnded(ILogger logger, Guid runId, long sequence);
}
