using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary>
/// Live runs pages. The event bus announces events per run, not new runs, so this node keeps one watch of the newest
/// runs for all its open runs pages together: while at least one is open it reads the newest <see cref="Window"/> runs once
/// per <see cref="Interval"/> and hands what changed (new runs, new states, progress) to every page, which keeps what its
/// viewer may see and its filters match. The store's cost is one query per interval per node, whatever the number of pages.
/// </summary>
internal sealed partial class RunListFeed(ConsoleBackend backend, TimeProvider time, ILogger<RunListFeed> logger)
{
    internal const int Window = 200;
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly List<ChannelWriter<IReadOnlyList<RunRecord>>> _readers = [];
    private readonly Dictionary<Guid, (RunState State, long Sequence)> _seen = [];
    private IReadOnlyList<RunRecord> _latest = [];
    private CancellationTokenSource? _stop;

    /// <summary>Batches of changed runs, the first being every run of the current window.</summary>
    public async IAsyncEnumerable<IReadOnlyList<RunRecord>> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<IReadOnlyList<RunRecord>>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _readers.Add(channel.Writer);
            channel.Writer.TryWrite(_latest);
            if (_stop is null)
            {
                _stop = new CancellationTokenSource();
                var token = _stop.Token;
                _ = Task.Run(() => RunAsync(token), CancellationToken.None);
            }
        }

        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return batch;
            }
        }
        finally
        {
            lock (_gate)
            {
                _readers.Remove(channel.Writer);
                if (_readers.Count == 0 && _stop is not null)
                {
                    _stop.Cancel();
                    _stop = null;
                    _seen.Clear();
                    _latest = [];
                }
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    var page = await backend.ListNewestRunsAsync(Window, cancellationToken);
                    Publish(page.Runs, cancellationToken);
                }
                catch (StoreUnavailableException ex)
                {
                    // The pages keep what they show; the next tick tries again.
                    LogStoreFailed(logger, ex.Kind);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The last runs page closed.
        }
    }

    private void Publish(IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var changed = runs.Where(run => !_seen.TryGetValue(run.Id, out var seen) || seen != (run.State, run.LastSequence)).ToList();
            _seen.Clear();
            foreach (var run in runs)
            {
                _seen[run.Id] = (run.State, run.LastSequence);
            }

            _latest = runs;
            if (changed.Count == 0)
            {
                return;
            }

            foreach (var reader in _readers)
            {
                reader.TryWrite(changed);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The console's runs watch could not read the store ({Kind}); it tries again")]
    private static partial void LogStoreFailed(ILogger logger, StoreFailureKind kind);
}
