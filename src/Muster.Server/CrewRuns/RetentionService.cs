using Microsoft.Extensions.Options;
using Muster.Server.Runs;

namespace Muster.Server.CrewRuns;

/// <summary>
/// Deletes finished runs older than <see cref="RetentionOptions.Days"/>, at start and then every
/// <see cref="RetentionOptions.Interval"/>, with their output files. Does nothing when no retention is configured.
/// </summary>
internal sealed partial class RetentionService(
    RunService runs,
    IOptions<RetentionOptions> options,
    TimeProvider timeProvider,
    ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Days is not { } days)
        {
            return;
        }

        var maxAge = TimeSpan.FromDays(days);
        using var timer = new PeriodicTimer(options.Value.Interval, timeProvider);
        try
        {
            do
            {
                await PurgeAsync(maxAge, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    internal async Task<int> PurgeAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var cutoff = timeProvider.GetUtcNow() - maxAge;
        try
        {
            var purged = await runs.PurgeFinishedAsync(cutoff, cancellationToken);
            if (purged > 0)
            {
                LogPurged(logger, purged, cutoff);
            }

            return purged;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed purge (store briefly unreachable) is retried on the next tick rather than ending the service.
            LogPurgeFailed(logger, ex);
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention purged {Count} finished runs completed before {Cutoff:O}")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention purge failed; retrying on the next tick")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
