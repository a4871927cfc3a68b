using Muster.Core.Engine;
using Muster.Server.Protocols;
using Muster.Server.Protocols.A2a;
using Muster.Server.Webhooks;
using Muster.Storage;
using Muster.Storage.Notifications;

namespace Muster.Server.Runs;

/// <summary>
/// Records one execution's events: each event, the change it makes to the run's projection and the webhooks it
/// causes commit together, and only then is the event announced on the bus. Every write is fenced by this node's
/// lease: once another node has taken the run over, a write throws <see cref="LeaseLostException"/> instead.
/// </summary>
/// <remarks>
/// Progress events (a task or LLM call starting, a tool used) are held for at most <c>flushDelay</c> and committed
/// with the events that follow them, in one write: a run's events then cost a handful of transactions instead of one
/// each. Events that a resume or a reader relies on (a task's result, a pause for review, the run's end) commit before
/// <see cref="PublishAsync"/> returns, together with everything held before them. Held events that fail to commit stay
/// held, in order; a crash loses at most the held progress events, which a resumed run repeats anyway.
/// <para>
/// A store failure (busy, gone, full, corrupt: <see cref="StoreUnavailableException"/>) is nobody's fault and passes:
/// a write that must commit is retried until it does, the engine waiting on it as on a slow LLM, so the run pauses and
/// goes on where it was, nothing re-run. Before a retry the sink reads the run back, since a write whose connection
/// dropped while it committed may have been stored. A background flush that meets one leaves its events held for the
/// next write. Any other failure (a lost lease) surfaces on the next publish.
/// </para>
/// </remarks>
internal sealed partial class StoreRunSink(
    IRunStore store,
    IDeliveryPlanner planner,
    IRunEventSignals signals,
    string nodeId,
    RunRecord run,
    TimeProvider time,
    TimeSpan flushDelay,
    ILogger logger,
    string? executionSpan = null) : IRunSink, IDisposable
{
    /// <summary>Held events beyond this many are committed at once.</summary>
    internal const int MaxHeld = 64;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private List<EventAppend> _held = [];
    // The run once every held event applies: what the store holds after they commit. Only the last state is kept, not
    // one per held event: under load a run's events wait for the writer, and each state kept is a copy of the run the
    // collector promotes.
    private RunRecord? _heldRun;
    // The run as stored, or null while a write is in flight (or after one failed): then only the store knows.
    private RunRecord? _stored = run;
    private Exception? _failure;
    private ITimer? _timer;
    private RunRecord _run = run;
    private bool _started;

    /// <summary>The run as this execution last left it, held events included (committed once they are flushed).</summary>
    public RunRecord Run => _run;

    /// <summary>The run as stored: what the last committed write left, or null while a write is in flight.</summary>
    public RunRecord? Stored => Volatile.Read(ref _stored);

    /// <summary>The sequence the next server-appended event must carry.</summary>
    public long NextSequence => _run.LastSequence + 1;

    public async ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _failure, null) is { } failure)
        {
            // A background flush failed: the engine hears it now, before this event is taken (a lost lease stops the
            // run). The events that failed stay held, and a later flush tries them again.
            throw failure;
        }

        var before = await WithCurrentPushConfigsAsync(_run, runEvent);
        var after = RunProjection.Apply(Started(before), runEvent);
        var append = new EventAppend(runEvent, RunUpdate.Between(before, after, leaseOwner: nodeId), planner.Plan(before, runEvent));
        _run = after;
        int held;
        lock (_lock)
        {
            _held.Add(append);
            _heldRun = after;
            held = _held.Count;
        }

        // The event must be recorded even when the run is being cancelled: the engine reports what already happened.
        // Store failures are retried until the run is cancelled (stopped, shut down, taken over).
        if (flushDelay <= TimeSpan.Zero || MustCommit(runEvent) || held >= MaxHeld)
        {
            await FlushAsync(cancellationToken);
            return;
        }

        lock (_lock)
        {
            _timer ??= time.CreateTimer(static state => ((StoreRunSink)state!).FlushInBackground(), this, flushDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Commits every held event, then announces them on the bus, in order. A store failure is retried until
    /// <paramref name="retryUntil"/> is cancelled; with a cancelled token the write is tried once.
    /// </summary>
    public async Task FlushAsync(CancellationToken retryUntil)
    {
        await _writing.WaitAsync();
        try
        {
            List<EventAppend> batch;
            RunRecord? batchRun;
            lock (_lock)
            {
                batch = _held;
                batchRun = _heldRun;
                _held = [];
                _heldRun = null;
                _timer?.Dispose();
                _timer = null;
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                // From here until the commit is known the store may be ahead of what this sink last stored.
                Volatile.Write(ref _stored, null);
                await CommitAsync(batch, retryUntil);
                Volatile.Write(ref _stored, batchRun);
            }
            catch
            {
                lock (_lock)
                {
                    batch.AddRange(_held);
                    _held = batch;
                    // Events held meanwhile leave the run further on; without them the batch's state is the last again.
                    _heldRun ??= batchRun;
                }

                throw;
            }

            foreach (var append in batch)
            {
                await signals.PublishAsync(append.Event, CancellationToken.None);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task CommitAsync(List<EventAppend> appends, CancellationToken retryUntil)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (attempt == 1 || !await CommittedAsync(appends))
                {
                    await store.AppendEventsAsync(appends, CancellationToken.None);
                }

                if (attempt > 1)
                {
                    LogWriteRecovered(logger, _run.Id, attempt);
                }

                return;
            }
            catch (StoreUnavailableException ex) when (!retryUntil.IsCancellationRequested)
            {
                LogWriteRetrying(logger, _run.Id, ex.Kind, attempt);
                await Task.Delay(StoreRetry.Delay(attempt), time, retryUntil);
            }
        }
    }

    /// <summary>Whether an earlier attempt at <paramref name="appends"/> committed after all (its connection dropped while it did).</summary>
    private async Task<bool> CommittedAsync(List<EventAppend> appends)
    {
        var first = appends[0].Event.Sequence;
        var last = appends[^1].Event.Sequence;
        var stored = await store.GetRunAsync(_run.Id, CancellationToken.None) ?? throw new RunNotFoundException(_run.Id);
        if (stored.LastSequence == last)
        {
            return true;
        }

        // Anything else than "before this batch" means another writer moved the run on: another node owns it now.
        return stored.LastSequence == first - 1 ? false : throw new LeaseLostException(_run.Id, nodeId);
    }

    /// <summary>Cancels a pending background flush (call <see cref="FlushAsync"/> first to keep the held events).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>
    /// The run with the A2A push configs stored now, before an event that notifies them: a client may add or delete one
    /// while the run executes. Read only for runs that may have some (started over A2A, or holding configs already), so
    /// other runs cost nothing more; a store that does not answer leaves the configs this execution knows.
    /// </summary>
    private async ValueTask<RunRecord> WithCurrentPushConfigsAsync(RunRecord run, RunEvent runEvent)
    {
        if (!A2aPushNotifications.ChangesState(runEvent) || (run.Protocol != ProtocolRuns.A2a && run.Webhooks.PushConfigs is not { Count: > 0 }))
        {
            return run;
        }

        try
        {
            // Not cancellable: the event is recorded even while the run is being cancelled, and its notifications with it.
            return await store.GetWebhooksAsync(run.Id, CancellationToken.None) is { } current ? run with { Webhooks = current } : run;
        }
        catch (StoreUnavailableException ex)
        {
            LogPushConfigsUnread(logger, run.Id, ex.Kind);
            return run;
        }
    }

    private static bool MustCommit(RunEvent runEvent) =>
        runEvent.Data is TaskCompleted or TaskFailed or TaskAwaitingHuman or CrewKickoffCompleted or CrewKickoffFailed;

    private async void FlushInBackground()
    {
        try
        {
            // One attempt: progress events can wait for the next write, which retries.
            await FlushAsync(new CancellationToken(canceled: true));
        }
        catch (StoreUnavailableException)
        {
            // The events stay held; the next publish writes them or retries.
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _failure, ex);
        }
    }

    /// <summary>
    /// The run as this execution takes it up, at its first event: with this execution's span (<c>executionSpan</c>, when
    /// traced), which the next execution links to, written with the first event rather than by a write of its own. A start
    /// time in the future comes from the start-up sweep's shifted clock (RunScheduler): it is corrected.
    /// </summary>
    private RunRecord Started(RunRecord current)
    {
        if (_started)
        {
            return current;
        }

        _started = true;
        var now = time.GetUtcNow();
        var started = current.StartedAt is null || current.StartedAt > now ? current with { StartedAt = now } : current;
        return executionSpan is null ? started : started with { ExecutionSpan = executionSpan };
    }
}
