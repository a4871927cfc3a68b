using Muster.Server.Hosting;
using Muster.Storage;

namespace Muster.Server.Telemetry;

/// <summary>
/// Reads how many runs wait (to be claimed, for a reviewer) every <see cref="Interval"/> for the gauges, so that a
/// collection (an export, a scrape) never waits on the store. Added only when metrics are exported.
/// </summary>
internal sealed partial class WaitingRunsGauge(
    IRunTelemetryStore store, MusterMetrics metrics, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<WaitingRunsGauge> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            await lifetime.WaitForStartAsync(stoppingToken);
            do
            {
                await ReadAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogEnded(logger);
        }
    }

    private async Task ReadAsync(CancellationToken stoppingToken)
    {
        try
        {
            var waiting = await store.CountWaitingRunsAsync(stoppingToken);
            metrics.SetWaiting(waiting.Pending, waiting.AwaitingHuman);
        }
        catch (StoreUnavailableException ex)
        {
            // Logged once for the whole node by StoreHealth; the gauges keep their last reading meanwhile.
            LogDeferred(logger, ex.Kind);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Counting waiting runs for the metrics waits for the store ({Kind})")]
    private static partial void LogDeferred(ILogger logger, StoreFailureKind kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The waiting runs' gauges stopped")]
    private static partial void LogEnded(ILogger logger);
}
