using Muster.Storage;

namespace Muster.Server.Runs;

internal sealed partial class StoreRunSink
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Storing events of run {RunId} failed ({Kind}, attempt {Attempt}); the run waits and retries")]
    private static partial void LogWriteRetrying(ILogger logger, Guid runId, StoreFailureKind kind, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored the held events of run {RunId} after {Attempts} attempts; the run goes on")]
    private static partial void LogWriteRecovered(ILogger logger, Guid runId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the A2A push configs of run {RunId} failed ({Kind}); its notification goes to the configs known when it started")]
    private static partial void LogPushConfigsUnread(ILogger logger, Guid runId, StoreFailureKind kind);
}
