using System.Text.Json.Nodes;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Execution;

/// <summary>Events the server itself appends (the engine appends the rest).</summary>
internal static class RunEvents
{
    /// <summary>The <c>crew_kickoff_failed</c> that ends a run stopped on request, numbered after <paramref name="run"/>'s last event.</summary>
    public static RunEvent Stopped(RunRecord run, string error, DateTimeOffset now) => Stopped(run.Id, run.LastSequence + 1, run, error, now);

    public static RunEvent Stopped(Guid runId, long sequence, RunRecord run, string error, DateTimeOffset now) => new()
    {
        RunId = runId,
        Sequence = sequence,
        Type = RunEventTypes.CrewKickoffFailed,
        Timestamp = now,
        Data = new JsonObject
        {
            ["error"] = error,
            ["stopped"] = true,
            ["token_usage"] = UsageJson.ToJson(run.Usage),
            ["execution_time"] = ExecutionTime(run, now),
        },
    };

    /// <summary>The <c>crew_kickoff_failed</c> for an engine that threw instead of reporting a failure.</summary>
    public static RunEvent Crashed(Guid runId, long sequence, RunRecord run, string error, DateTimeOffset now) => new()
    {
        RunId = runId,
        Sequence = sequence,
        Type = RunEventTypes.CrewKickoffFailed,
        Timestamp = now,
        Data = new JsonObject
        {
            ["error"] = error,
            ["token_usage"] = UsageJson.ToJson(run.Usage),
            ["execution_time"] = ExecutionTime(run, now),
        },
    };

    private static double ExecutionTime(RunRecord run, DateTimeOffset now) =>
        Math.Max(0, (now - (run.StartedAt ?? run.CreatedAt)).TotalSeconds);
}

/// <summary>The "who stopped it and when" message of a stopped run.</summary>
internal static class StopMessages
{
    public static string StoppedBy(string ownerId, DateTimeOffset at) => $"Stopped by {ownerId} at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
}

/// <summary><c>token_usage</c> objects of events, in CrewAI's UsageMetrics shape.</summary>
internal static class UsageJson
{
    public static JsonObject ToJson(TokenUsage usage) => new()
    {
        ["total_tokens"] = usage.TotalTokens,
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["cached_prompt_tokens"] = usage.CachedPromptTokens,
        ["successful_requests"] = usage.SuccessfulRequests,
    };

    public static TokenUsage? FromJson(JsonNode? node)
    {
        if (node is not JsonObject usage)
        {
            return null;
        }

        return new TokenUsage(
            Read(usage, "prompt_tokens"),
            Read(usage, "completion_tokens"),
            Read(usage, "cached_prompt_tokens"),
            Read(usage, "successful_requests"));
    }

    // Numbers arrive as parsed JSON (any integer width) or as values built in code (int, long or double).
    private static long Read(JsonObject usage, string name) => usage[name] switch
    {
        JsonValue value when value.TryGetValue<long>(out var number) => number,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        JsonValue value when value.TryGetValue<double>(out var number) => (long)number,
        _ => 0,
    };
}
