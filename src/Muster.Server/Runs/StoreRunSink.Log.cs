using Muster.Storage;

namespace Muster.Server.Runs;

internal sealed partial class StoreRunSink
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Storing events of run {RunId} failed ({Kind}, attempt {Attempt}); the run waits and retries")]
    private static partial void LogWriteRetrying(ILogger logger, Guid runId, StoreFailureKind kind, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored the held events of run {RunId} after {Attempts} attempts; the run goes on")]
    private static partial void LogWriteRecovered(ILogger logger, Guid runId, int attempts);
}
