using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary>
/// Live run pages. However many pages show one run, this node watches it once: one subscription to the run's event
/// signals and one read of the store per change (only the events after the last one read), whose result every page of
/// the run receives. A page therefore costs the store nothing per event. The bus gives hints only, so a watch also reads
/// again after <see cref="Recheck"/> without one.
/// </summary>
internal sealed partial class RunFeed(ConsoleBackend backend, TimeProvider time, ILogger<RunFeed> logger)
{
    internal static readonly TimeSpan Recheck = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Watch> _watches = [];

    /// <summary>How many runs this node watches now (a figure for tests and benchmarks).</summary>
    public int Watching
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>The run's snapshots as it changes, starting with the latest; ends after the one that shows it finished.</summary>
    public async IAsyncEnumerable<RunSnapshot> WatchAsync(Guid runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<RunSnapshot>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        Watch watch;
        lock (_gate)
        {
            if (!_watches.TryGetValue(runId, out watch!))
            {
                watch = new Watch(runId);
                _watches[runId] = watch;
                watch.Task = Task.Run(() => RunAsync(watch), CancellationToken.None);
            }

            watch.Readers.Add(channel.Writer);
            if (watch.Latest is { } latest)
            {
                channel.Writer.TryWrite(latest);
                if (latest.Run.State.IsFinished())
                {
                    channel.Writer.TryComplete();
                }
            }
        }

        try
        {
            await foreach (var snapshot in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return snapshot;
            }
        }
        finally
        {
            lock (_gate)
            {
                watch.Readers.Remove(channel.Writer);
                if (watch.Readers.Count == 0)
                {
                    watch.Stop.Cancel();
                    _watches.Remove(runId);
                }
            }
        }
    }

    private async Task RunAsync(Watch watch)
    {
        var cancellationToken = watch.Stop.Token;
        var hints = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        // Subscribed before the first read, so no event committed after that read goes unnoticed.
        var listening = ListenAsync(watch.RunId, hints.Writer, cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (await ReadAsync(watch, cancellationToken))
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The pages keep what they show and this watch tries again after the recheck interval: a watch that
                    // gave up would leave every page of the run without updates.
                    LogReadFailed(logger, watch.RunId, ex);
                }

                using var timeout = new CancellationTokenSource(Recheck, time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    await hints.Reader.WaitToReadAsync(wait.Token);
                    hints.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // No signal within the recheck interval: read anyway, a signal may have been lost.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The last page of this run closed.
        }
        finally
        {
            await watch.Stop.CancelAsync();
            await listening;
        }
    }

    /// <summary>Reads the run once and hands the snapshot to every page; true once the run has finished.</summary>
    private async Task<bool> ReadAsync(Watch watch, CancellationToken cancellationToken)
    {
        var run = await backend.GetRunUncheckedAsync(watch.RunId, cancellationToken);
        if (run is null)
        {
            Complete(watch);
            return true;
        }

        var snapshot = await RunSnapshot.LoadAsync(backend, run, watch.Latest, cancellationToken);
        var finished = run.State.IsFinished();
        lock (_gate)
        {
            watch.Latest = snapshot;
            foreach (var reader in watch.Readers)
            {
                reader.TryWrite(snapshot);
                if (finished)
                {
                    reader.TryComplete();
                }
            }
        }

        return finished;
    }

    private void Complete(Watch watch)
    {
        lock (_gate)
        {
            foreach (var reader in watch.Readers)
            {
                reader.TryComplete();
            }
        }
    }

    private async Task ListenAsync(Guid runId, ChannelWriter<long> hints, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var sequence in backend.SubscribeAsync(runId, cancellationToken))
            {
                hints.TryWrite(sequence);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watch ended; so does its subscription.
        }
    }

    /// <summary>Now, for the waterfall of a run under way.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The console's live view of run {RunId} could not read it; it tries again")]
    private static partial void LogReadFailed(ILogger logger, Guid runId, Exception exception);

    private sealed class Watch(Guid runId)
    {
        public Guid RunId => runId;
        public CancellationTokenSource Stop { get; } = new();
        public List<ChannelWriter<RunSnapshot>> Readers { get; } = [];
        public RunSnapshot? Latest { get; set; }
        public Task? Task { get; set; }
    }
}
