using Muster.Storage;

namespace Muster.Server.Hosting;

/// <summary>
/// Logs once when the run store starts failing (busy, gone, full, corrupt) and once when it serves again, instead of
/// once per request, run and heartbeat that meets the outage.
/// </summary>
internal sealed partial class StoreHealthLog(StoreHealth health, TimeProvider time, ILogger<StoreHealthLog> logger) : IHostedService
{
    private DateTimeOffset _since;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        health.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        health.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(StoreProblem? problem)
    {
        if (problem is not null)
        {
            _since = problem.Since;
            LogUnavailable(logger, problem.Kind, problem.Message);
        }
        else
        {
            LogAvailable(logger, (time.GetUtcNow() - _since).TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The run store is failing ({Kind}): {Reason} Requests answer 503 (507 for a full disk) and runs wait until it serves again")]
    private static partial void LogUnavailable(ILogger logger, StoreFailureKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The run store serves again after {Seconds:0.0} s; waiting runs go on")]
    private static partial void LogAvailable(ILogger logger, double seconds);
}
