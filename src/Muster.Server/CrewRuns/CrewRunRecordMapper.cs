using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Contracts.Runs;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.CrewRuns;

/// <summary>Projects stored runs and events onto the crew-runs API's wire records.</summary>
internal static class CrewRunRecordMapper
{
    /// <param name="run">The stored run.</param>
    /// <param name="taskResults">Its finished tasks, for per-task usage; null leaves them out (lists, to spare a read per run).</param>
    public static CrewRunRecord ToRecord(RunRecord run, IReadOnlyList<TaskOutput>? taskResults) => new()
    {
        Id = run.Id.ToString(),
        CorrelationId = run.CorrelationId,
        OwnerId = run.OwnerId,
        Status = StatusName(run.State),
        CreatedAt = UtcTimestampJsonConverter.Format(run.CreatedAt),
        CrewType = run.AdHoc ? null : run.CrewName,
        CrewConfig = CrewConfigMapper.ToConfig(run.Crew),
        TaskInput = run.Inputs,
        Result = run.Result,
        Error = run.Error,
        StartedAt = run.StartedAt is { } started ? UtcTimestampJsonConverter.Format(started) : null,
        CompletedAt = run.CompletedAt is { } completed ? UtcTimestampJsonConverter.Format(completed) : null,
        TokenUsage = run.Usage,
        Protocol = run.Protocol,
        Tasks = taskResults?.Select(task => new TaskUsageRecord
        {
            Task = task.Name,
            Agent = task.Agent,
            Output = task.Raw,
            ExecutionTime = task.ExecutionTimeSeconds,
            TokenUsage = task.Usage,
        }).ToList(),
    };

    /// <summary>
    /// The spec knows four statuses: a run paused for a human is still under way (running), and a
    /// stopped run did not complete (failed; its error, written by the stop, says who stopped it and when).
    /// </summary>
    public static string StatusName(RunState state) => state switch
    {
        RunState.Pending => "pending",
        RunState.Running or RunState.AwaitingHuman => "running",
        RunState.Completed => "completed",
        _ => "failed",
    };

    /// <summary>
    /// The stored states a status filter value covers; null for an unknown value. Besides the spec's four, <c>stopped</c>
    /// picks out the <c>failed</c> runs a stop ended, which records cannot show otherwise than by their error.
    /// </summary>
    public static RunState[]? StatesFor(string status) => status switch
    {
        "pending" => [RunState.Pending],
        "running" => [RunState.Running, RunState.AwaitingHuman],
        "completed" => [RunState.Completed],
        "failed" => [RunState.Failed, RunState.Stopped],
        "stopped" => [RunState.Stopped],
        _ => null,
    };

    public static RunEventDto ToDto(RunEventRecord runEvent) => new()
    {
        Sequence = runEvent.Sequence,
        ExecutionId = runEvent.RunId.ToString(),
        Type = runEvent.Type,
        Timestamp = UtcTimestampJsonConverter.Format(runEvent.Timestamp),
        // The stored data is the text RunEventJson wrote; the DTO, shared with the .NET client, carries it as an object.
        Data = JsonNode.Parse(runEvent.Data)?.AsObject(),
    };

    public static bool IsTerminal(string eventType) =>
        eventType is RunEventTypes.CrewKickoffCompleted or RunEventTypes.CrewKickoffFailed;
}
