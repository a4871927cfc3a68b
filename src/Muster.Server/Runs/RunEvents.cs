using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Runs;

/// <summary>Events the server itself appends (the engine appends the rest).</summary>
internal static class RunEvents
{
    /// <summary>The <c>crew_kickoff_failed</c> that ends a run stopped on request, numbered after <paramref name="run"/>'s last event.</summary>
    public static RunEvent Stopped(RunRecord run, string error, DateTimeOffset now) => Stopped(run.Id, run.LastSequence + 1, run, error, now);

    public static RunEvent Stopped(Guid runId, long sequence, RunRecord run, string error, DateTimeOffset now) => new()
    {
        RunId = runId,
        Sequence = sequence,
        Timestamp = now,
        Data = new CrewKickoffFailed(error, Stopped: true, run.Usage, ExecutionTime(run, now)),
    };

    /// <summary>The <c>crew_kickoff_failed</c> for an engine that threw instead of reporting a failure.</summary>
    public static RunEvent Crashed(Guid runId, long sequence, RunRecord run, string error, DateTimeOffset now) => new()
    {
        RunId = runId,
        Sequence = sequence,
        Timestamp = now,
        Data = new CrewKickoffFailed(error, Stopped: false, run.Usage, ExecutionTime(run, now)),
    };

    private static double ExecutionTime(RunRecord run, DateTimeOffset now) =>
        Math.Max(0, (now - (run.StartedAt ?? run.CreatedAt)).TotalSeconds);
}

/// <summary>The "who stopped it and when" message of a stopped run.</summary>
internal static class StopMessages
{
    public static string StoppedBy(string ownerId, DateTimeOffset at) => $"Stopped by {ownerId} at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
}
