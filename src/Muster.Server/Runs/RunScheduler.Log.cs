using Muster.Storage;

namespace Muster.Server.Runs;

internal sealed partial class RunScheduler
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {NodeId} started; at most {MaxConcurrentRuns} runs at once")]
    private static partial void LogStarted(ILogger logger, string nodeId, int maxConcurrentRuns);

    [LoggerMessage(Level = LogLevel.Information, Message = "Continuing {Count} runs an earlier process of this server left running")]
    private static partial void LogRecovering(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ending the leases an earlier process left failed; its runs continue once their leases lapse")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler stopped claiming runs; {Active} still executing")]
    private static partial void LogStoppedClaiming(ILogger logger, int active);

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming a run failed; retrying after the poll interval")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Executing run {RunId} of crew {CrewName}")]
    private static partial void LogExecuting(ILogger logger, Guid runId, string crewName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Executing run {RunId} failed outside the engine; the run stays claimable")]
    private static partial void LogExecutionFailed(ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The engine threw while executing run {RunId}; the run is marked failed")]
    private static partial void LogEngineCrashed(ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} stopped on request")]
    private static partial void LogRunStopped(ILogger logger, Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} left unfinished ({Reason}); it continues at its first unfinished task")]
    private static partial void LogRunLeft(ILogger logger, Guid runId, CancelReason reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stop signal reader ended")]
    private static partial void LogStopReaderEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Lease heartbeat ended")]
    private static partial void LogHeartbeatEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} is no longer leased to this node (taken over, or just finished); this node stops executing it")]
    private static partial void LogLeaseLost(ILogger logger, Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handed back the leases of {Count} unfinished runs; other nodes continue them")]
    private static partial void LogHandedBack(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing back leases at shutdown failed; they lapse after the lease time")]
    private static partial void LogHandBackFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing leases failed; retrying at the next heartbeat")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Claiming a run waits for the store ({Kind})")]
    private static partial void LogClaimDeferred(ILogger logger, StoreFailureKind kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Renewing leases waits for the store ({Kind})")]
    private static partial void LogHeartbeatDeferred(ILogger logger, StoreFailureKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The events of run {RunId} could not be recorded; the run stays claimable and continues from what was stored")]
    private static partial void LogSinkFailed(ILogger logger, Guid runId, Exception exception);
}
