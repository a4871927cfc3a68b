using Microsoft.Extensions.Options;
using Muster.Core.Telemetry;
using Muster.Server.Hosting;
using Muster.Server.Telemetry;
using Muster.Storage;

namespace Muster.Server.Webhooks;

/// <summary>
/// Sends the outbox. Claims due (run, URL) queues, sends each queue's batch (queues concurrently, one batch per queue
/// at a time, so each queue stays in order), and records every attempt. Deliveries survive restarts because they
/// live in the store; a claim's lease hands a queue to another dispatcher if this one dies mid-send. Hosts share the
/// slots fairly: claims take hosts in turn, cap each host's queues in flight, and skip hosts the breaker has paused.
/// </summary>
internal sealed partial class WebhookDispatcher(
    IDeliveryStore store,
    IRunTelemetryStore runs,
    MusterMetrics metrics,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private readonly string _nodeId = $"webhooks-{Environment.MachineName}-{Guid.NewGuid():N}";
    private readonly HashSet<Task> _inFlight = [];
    private readonly HostBreaker _breaker = new(options.Value, timeProvider);
    private string? _lastHost;
    private TaskCompletionSource _sent = NewSignal();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.PollInterval, timeProvider);
        Task<bool>? tick = null;
        try
        {
            await lifetime.WaitForStartAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                // A new signal before claiming: a send finishing after this point wakes the wait below.
                var sent = _sent = NewSignal();
                _inFlight.RemoveWhere(t => t.IsCompleted);
                var claimed = await ClaimAndStartAsync(settings.MaxConcurrentQueues - _inFlight.Count, stoppingToken);
                if (claimed > 0 && _inFlight.Count < settings.MaxConcurrentQueues)
                {
                    continue;
                }

                tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
                await Task.WhenAny(tick, sent.Task);
                if (tick.IsCompleted)
                {
                    await tick;
                    tick = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: unfinished sends keep their claim until the lease lapses, then go out again.
        }

        await Task.WhenAll(_inFlight);
    }

    private async Task<int> ClaimAndStartAsync(int free, CancellationToken stoppingToken)
    {
        if (free <= 0)
        {
            return 0;
        }

        IReadOnlyList<IReadOnlyList<DeliveryRecord>> batches;
        try
        {
            var settings = options.Value;
            batches = await store.ClaimDueDeliveriesAsync(
                new DeliveryClaim
                {
                    NodeId = _nodeId,
                    Now = timeProvider.GetUtcNow(),
                    Lease = settings.ClaimLease,
                    MaxQueues = free,
                    MaxQueuesPerHost = settings.MaxConcurrentQueuesPerHost,
                    PausedHosts = _breaker.Paused(),
                    StartAfterHost = _lastHost,
                },
                stoppingToken);
        }
        catch (StoreUnavailableException ex)
        {
            // The outage is logged once for the node (StoreHealthLog); the deliveries wait in the outbox meanwhile.
            LogClaimDeferred(ex.Kind);
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogClaimFailed(ex);
            return 0;
        }

        foreach (var batch in batches.Where(b => b.Count > 0))
        {
            _inFlight.Add(SendAndRecordAsync(batch, stoppingToken));
        }

        // Hosts get their first batch in the order the claim visited them: the next claim's round resumes after the last.
        _lastHost = batches.Where(b => b.Count > 0).Select(b => b[0].Host).Distinct(StringComparer.Ordinal).LastOrDefault() ?? _lastHost;

        return batches.Count;
    }

    private async Task SendAndRecordAsync(IReadOnlyList<DeliveryRecord> batch, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            // The delivery is a span of its run's trace, and its request carries the context (only while a tracer listens).
            var traceParent = MusterTelemetry.Source.HasListeners() ? await runs.GetTraceParentAsync(batch[0].RunId, stoppingToken) : null;
            using var span = traceParent is null ? null : RunSpans.Delivery(batch[0].RunId, batch[0].Kind, traceParent);
            var result = await sender.SendAsync(batch, stoppingToken);
            if (!result.Delivered)
            {
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Error);
            }

            Judge(batch[0], result);
            await RecordAsync(batch, result, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Not an attempt the receiver saw through; the claim lapses and the batch is sent again after restart.
        }
        catch (Exception ex)
        {
            LogSendFailed(batch[0].Id, batch[0].RunId, ex);
        }
        finally
        {
            _sent.TrySetResult();
        }
    }

    // A refused destination is no sign of the host's health (it was never contacted), and it fails for good anyway.
    private void Judge(DeliveryRecord head, SendResult result)
    {
        if (result.Delivered)
        {
            _breaker.Succeeded(head.Host);
        }
        else if (!result.Refused && _breaker.Failed(head.Host) is { } until)
        {
            // The URL's host for the log, never Host itself: a delivery from before the host column carries its whole URL.
            LogHostPaused(new Uri(head.Url).Host, options.Value.HostFailuresBeforePause, until);
        }
    }

    private async Task RecordAsync(IReadOnlyList<DeliveryRecord> batch, SendResult result, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        var attempt = new DeliveryAttempt(now, result.StatusCode, result.Error);
        var host = new Uri(batch[0].Url).Host;
        foreach (var delivery in batch)
        {
            if (result.Delivered)
            {
                await store.RecordAttemptAsync(delivery.Id, attempt, DeliveryState.Delivered, null, cancellationToken);
                metrics.DeliverySent(delivery.Kind, now - delivery.CreatedAt);
                continue;
            }

            var delay = result.RetryAfter ?? RetrySchedule.Backoff(
                delivery.AttemptCount + 1, settings.BaseRetryDelay, settings.MaxRetryDelay, Random.Shared.NextDouble());
            var next = result.Refused ? null : RetrySchedule.NextAttempt(delivery.CreatedAt, settings.RetryPeriod, now, delay);
            await store.RecordAttemptAsync(
                delivery.Id, attempt, next is null ? DeliveryState.Failed : DeliveryState.Pending, next, cancellationToken);
            if (next is null)
            {
                metrics.DeliveryFailed(delivery.Kind);
                LogGaveUp(delivery.Id, delivery.RunId, host, delivery.AttemptCount + 1, result.Error);
            }
            else
            {
                metrics.DeliveryRetried(delivery.Kind);
                LogWillRetry(delivery.Id, delivery.RunId, host, result.Error, next.Value);
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Claiming due webhook deliveries waits for the store ({Kind})")]
    private partial void LogClaimDeferred(StoreFailureKind kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming due webhook deliveries failed; trying again at the next poll")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} of run {RunId} could not be sent or recorded")]
    private partial void LogSendFailed(Guid deliveryId, Guid runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} of run {RunId} to {Host} failed ({Error}); next attempt at {NextAttempt:O}")]
    private partial void LogWillRetry(Guid deliveryId, Guid runId, string host, string? error, DateTimeOffset nextAttempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook host {Host} failed at least {Failures} attempts in a row; its webhooks wait until {Until:O}")]
    private partial void LogHostPaused(string host, int failures, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} of run {RunId} to {Host} given up after {Attempts} attempts: {Error}")]
    private partial void LogGaveUp(Guid deliveryId, Guid runId, string host, int attempts, string? error);
}
