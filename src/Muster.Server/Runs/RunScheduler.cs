using System.Collections.Concurrent;
using Muster.Core.Engine;
using Muster.Server.Hosting;
using Muster.Server.Telemetry;
using Muster.Server.Webhooks;
using Muster.Storage;
using Microsoft.Extensions.Options;
using Muster.Storage.Notifications;

namespace Muster.Server.Runs;

/// <summary>
/// Claims runnable runs from the store and executes at most <see cref="ExecutionOptions.MaxConcurrentRuns"/> at once,
/// all on async waits (a semaphore, not a thread per run). Idle, it waits for a wake-up or the poll timer.
/// </summary>
internal sealed partial class RunScheduler(
    IRunStore store,
    ICrewEngine engine,
    IDeliveryPlanner planner,
    IRunEventSignals signals,
    ISchedulerWakeUps wakeUps,
    IRunStopSignals stopSignals,
    ExecutingRuns executing,
    SchedulerIdentity identity,
    MusterMetrics metrics,
    IOptions<MusterOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<RunScheduler> logger) : BackgroundService
{
    private readonly ExecutionOptions _options = options.Value.Execution;
    private readonly SemaphoreSlim _slots = new(options.Value.Execution.MaxConcurrentRuns);
    private readonly ConcurrentDictionary<Guid, ActiveRun> _active = new();
    private readonly StopSignals _stops = new();
    private Task? _pendingWakeUp;
    private Task<bool>? _pendingTick;
    // Cancelled when the node shuts down: the end of retrying a failed store for a run that must still be written.
    private CancellationToken _stopping;

    /// <summary>How many runs execute on this node now.</summary>
    public int ActiveCount => _active.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            await lifetime.WaitForStartAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        LogStarted(logger, identity.NodeId, _options.MaxConcurrentRuns);
        if (identity.SingleNode)
        {
            await EndDeadLeasesAsync(stoppingToken);
        }

        var stopReader = ReadStopSignalsAsync(stoppingToken);
        var heartbeat = HeartbeatAsync(stoppingToken);
        using var poll = new PeriodicTimer(TimeSpan.FromSeconds(_options.PollSeconds), time);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _slots.WaitAsync(stoppingToken);
                var run = await ClaimAsync(stoppingToken);
                if (run is null)
                {
                    _slots.Release();
                    await WaitForWorkAsync(poll, stoppingToken);
                    continue;
                }

                Start(run);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStoppedClaiming(logger, _active.Count);
        }

        await Task.WhenAll(stopReader, heartbeat);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var actives = _active.Values.ToArray();
        if (actives.Length == 0)
        {
            return;
        }

        var running = actives.Select(a => a.Completion).ToArray();
        var grace = TimeSpan.FromSeconds(_options.ShutdownGraceSeconds);
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(grace, time, cancellationToken));
        foreach (var active in _active.Values)
        {
            active.Cancel(CancelReason.Shutdown);
        }

        await Task.WhenAll(running).WaitAsync(cancellationToken);
        await HandBackAsync([.. actives.Where(a => a.Reason == CancelReason.Shutdown).Select(a => a.RunId)], cancellationToken);
    }

    /// <summary>
    /// Ends this node's leases on runs it leaves unfinished at shutdown (a lease renewed to "now" has lapsed), so that other
    /// nodes continue them at once instead of after the lease time.
    /// </summary>
    private async Task HandBackAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        if (runIds.Count == 0)
        {
            return;
        }

        try
        {
            await store.RenewLeasesAsync(identity.NodeId, runIds, time.GetUtcNow(), cancellationToken);
            LogHandedBack(logger, runIds.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The leases then lapse on their own.
            LogHandBackFailed(logger, ex);
        }
    }

    /// <summary>
    /// A single-node store (SQLite) is this server's alone, under its server lock: a lease still running at start belongs
    /// to a process of this server that died. Ending those leases lets the first claims take the runs at once, each with
    /// the normal lease that the heartbeat renews: a crash right after this start leaves nothing longer behind.
    /// </summary>
    private async Task EndDeadLeasesAsync(CancellationToken stoppingToken)
    {
        try
        {
            var freed = await store.EndLeasesAsync(time.GetUtcNow(), stoppingToken);
            if (freed > 0)
            {
                LogRecovering(logger, freed);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The leases then lapse on their own, and the runs continue after one lease time.
            LogRecoveryFailed(logger, ex);
        }
    }

    private async Task<RunRecord?> ClaimAsync(CancellationToken stoppingToken)
    {
        try
        {
            return await store.TryClaimRunAsync(identity.NodeId, time.GetUtcNow(), _options.Lease, stoppingToken);
        }
        catch (StoreUnavailableException ex)
        {
            // Logged once for the whole node by StoreHealth; the next poll or wake-up tries again.
            LogClaimDeferred(logger, ex.Kind);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogClaimFailed(logger, ex);
            return null;
        }
    }

    private async Task WaitForWorkAsync(PeriodicTimer poll, CancellationToken stoppingToken)
    {
        // Both waits outlive a round they lose: a timer and a single-reader channel allow one pending wait each.
        if (_pendingWakeUp is null || _pendingWakeUp.IsCompleted)
        {
            _pendingWakeUp = wakeUps.WaitForWakeUpAsync(stoppingToken).AsTask();
        }

        if (_pendingTick is null || _pendingTick.IsCompleted)
        {
            _pendingTick = poll.WaitForNextTickAsync(stoppingToken).AsTask();
        }

        var finished = await Task.WhenAny(_pendingWakeUp, _pendingTick);
        await finished;
    }

    private void Start(RunRecord run)
    {
        if (_active.ContainsKey(run.Id))
        {
            // This node's own lease lapsed (heartbeats failed) and it claimed the run again while still executing it:
            // the claim merely renewed the lease, and the execution under way goes on.
            _slots.Release();
            return;
        }

        var active = new ActiveRun(run.Id);
        _active[run.Id] = active;
        if (_stops.Take(run.Id) is { } early)
        {
            active.Stop(early.Reason);
        }

        active.Completion = ExecuteRunAsync(run, active);
    }

    private async Task ExecuteRunAsync(RunRecord run, ActiveRun active)
    {
        await Task.Yield();
        // One span per execution, in the trace stored with the run; every line logged meanwhile names the run.
        using var span = RunSpans.Workflow(run);
        using var scope = logger.BeginScope(new RunLogScope(run.Id, run.CrewName, span?.TraceId.ToHexString() ?? RunSpans.Parent(run.TraceParent).TraceId.ToHexString()));
        try
        {
            LogExecuting(logger, run.Id, run.CrewName);
            if (run.LastSequence > 0 && run.Review is null)
            {
                // A run with events and no reviewer's answer to act on was left by an execution that ended without finishing it.
                metrics.LeaseTakeover(run.CrewName);
            }

            // A run that has completed no task yet (every fresh run) has no results to read.
            IReadOnlyList<TaskOutput> completed = run.CompletedTasks == 0 ? [] : await ReadTaskResultsAsync(run.Id, active.Token);
            using var sink = new StoreRunSink(store, planner, signals, identity.NodeId, run, time, _options.EventFlushDelay, logger, RunSpans.TraceParentOf(span));
            executing.Add(sink);
            try
            {
                if (run.StopRequested)
                {
                    // Flagged before this node claimed it (its executor died): the reason went with the lost signal.
                    active.Stop(null);
                }

                var outcome = active.Token.IsCancellationRequested
                    ? new RunOutcome { Kind = RunOutcomeKind.Stopped }
                    : await RunEngineAsync(run, completed, sink, active);
                await ConcludeAsync(outcome, sink, active);
                RunSpans.End(span, outcome, sink.Run);
            }
            finally
            {
                executing.Remove(sink);
            }
        }
        catch (Exception ex)
        {
            LogExecutionFailed(logger, run.Id, ex);
        }
        finally
        {
            _active.TryRemove(run.Id, out _);
            _slots.Release();
        }
    }

    private async Task<RunOutcome> RunEngineAsync(RunRecord run, IReadOnlyList<TaskOutput> completed, StoreRunSink sink, ActiveRun active)
    {
        var checkpoint = new RunCheckpoint
        {
            CompletedTasks = completed,
            LastSequence = run.LastSequence,
            PendingReview = run.PendingReview,
            Review = run.Review,
            RecordedBytes = run.RecordedBytes,
            Spent = run.Spent,
            Worked = run.Worked,
        };
        try
        {
            return await engine.RunAsync(run.Id, run.Crew, checkpoint, new MeteredRunSink(sink, metrics, run.CrewName), active.Token);
        }
        catch (OperationCanceledException) when (active.Token.IsCancellationRequested)
        {
            return new RunOutcome { Kind = RunOutcomeKind.Stopped };
        }
        catch (Exception ex) when (RunSinkException.IsIn(ex))
        {
            // The run's events could not be recorded: that is no verdict on the crew. Either another node took the run over
            // before this node's heartbeat noticed (the new owner continues it), or the store refused the write for good
            // (the run stays claimable and continues from what was stored).
            if (ex.GetBaseException() is LeaseLostException)
            {
                active.Cancel(CancelReason.LeaseLost);
            }
            else
            {
                LogSinkFailed(logger, run.Id, ex);
                active.Cancel(CancelReason.StoreFailed);
            }

            return new RunOutcome { Kind = RunOutcomeKind.Stopped };
        }
        catch (Exception ex) when (!active.Token.IsCancellationRequested)
        {
            // The engine reports failures as events; an exception is a bug, and the run must still end visibly.
            LogEngineCrashed(logger, run.Id, ex);
            var crashed = RunEvents.Crashed(run.Id, sink.NextSequence, sink.Run, "Internal error while executing the crew.", time.GetUtcNow());
            metrics.Observe(run.CrewName, crashed.Data);
            await sink.PublishAsync(crashed, _stopping);
            return new RunOutcome { Kind = RunOutcomeKind.Failed, Error = ex.Message };
        }
    }

    private async Task ConcludeAsync(RunOutcome outcome, StoreRunSink sink, ActiveRun active)
    {
        // Whatever the outcome (a shutdown too), the progress events still held are recorded, if this node still may.
        try
        {
            await sink.FlushAsync(_stopping);
        }
        catch (LeaseLostException)
        {
            // The new owner carries on from what it found stored.
        }
        catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException && _stopping.IsCancellationRequested)
        {
            // Shutting down with the store failing: the held progress events are lost, and a resumed run repeats them.
            LogRunLeft(logger, active.RunId, active.Reason);
            return;
        }

        if (outcome.Kind != RunOutcomeKind.Stopped || sink.Run.State.IsFinished())
        {
            return;
        }

        switch (active.Reason)
        {
            case CancelReason.StopRequested:
                var now = time.GetUtcNow();
                var error = active.StopMessage ?? StopMessages.StoppedBy("a stop request", now);
                var stopped = RunEvents.Stopped(active.RunId, sink.NextSequence, sink.Run, error, now);
                metrics.Observe(sink.Run.CrewName, stopped.Data);
                await sink.PublishAsync(stopped, _stopping);
                LogRunStopped(logger, active.RunId);
                break;
            default:
                LogRunLeft(logger, active.RunId, active.Reason);
                break;
        }
    }

    /// <summary>The run's finished tasks, read again and again while the store fails, until the run is cancelled.</summary>
    private async Task<IReadOnlyList<TaskOutput>> ReadTaskResultsAsync(Guid runId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.GetTaskResultsAsync(runId, CancellationToken.None);
            }
            catch (StoreUnavailableException) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(StoreRetry.Delay(attempt), time, cancellationToken);
            }
        }
    }

    private async Task ReadStopSignalsAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var signal in stopSignals.ReadStopSignalsAsync(stoppingToken))
            {
                if (_active.TryGetValue(signal.RunId, out var active))
                {
                    active.Stop(signal.Reason);
                }
                else
                {
                    // The signal can overtake the claim that made this node the run's executor: Start takes it from here.
                    _stops.Remember(signal);
                    // Start may have registered the run between the look-up above and Remember, and found nothing to take:
                    // then deliver it now. Take hands a signal out once, so it stops the run exactly once either way.
                    if (_active.TryGetValue(signal.RunId, out var started) && _stops.Take(signal.RunId) is { } late)
                    {
                        started.Stop(late.Reason);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopReaderEnded(logger);
        }
    }

    private async Task HeartbeatAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Heartbeat, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RenewAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogHeartbeatEnded(logger);
        }
    }

    private async Task RenewAsync(CancellationToken stoppingToken)
    {
        var held = _active.Keys.ToArray();
        if (held.Length == 0)
        {
            return;
        }

        try
        {
            var renewal = await store.RenewLeasesAsync(identity.NodeId, held, time.GetUtcNow() + _options.Lease, stoppingToken);
            foreach (var runId in renewal.Lost)
            {
                if (_active.TryGetValue(runId, out var lost))
                {
                    LogLeaseLost(logger, runId);
                    lost.Cancel(CancelReason.LeaseLost);
                }
            }

            // The store's stop flag backs up stop signals the bus lost (a dropped connection, a node that just started).
            foreach (var runId in renewal.StopRequested)
            {
                if (_active.TryGetValue(runId, out var flagged))
                {
                    flagged.Stop(null);
                }
            }
        }
        catch (StoreUnavailableException ex)
        {
            // Logged once for the whole node by StoreHealth; the runs' leases last while the outage is shorter than them.
            LogHeartbeatDeferred(logger, ex.Kind);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHeartbeatFailed(logger, ex);
        }
    }
}
