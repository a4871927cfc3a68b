using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Muster.Server.Tests.Clients;

// How the real AMP clients of COMPATIBILITY.md read a status answer, written down from their documented behaviour (not
// their code), so that tests can say which shape each of them can use.

/// <summary>
/// crewAI-tools' <c>InvokeCrewAIAutomationTool</c>: polls until <c>state.lower()</c> is <c>success</c> (and returns
/// <c>result</c>) or <c>failed</c>. A <c>result</c> that is not a string comes back as the text of the object.
/// </summary>
internal static class CrewAiTools
{
    /// <summary>Whether the tool stops polling on this answer.</summary>
    public static bool IsDone(JsonObject status) => State(status) is "success" or "failed";

    /// <summary>What the tool returns for a finished run: the result on success (as text), else a failure note.</summary>
    public static string Outcome(JsonObject status) => State(status) switch
    {
        "success" => status["result"] switch
        {
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            var other => other?.ToJsonString() ?? "None",
        },
        "failed" => $"Crew run failed: {status["error"]?.ToString() ?? status["result"]?.ToString()}",
        _ => throw new InvalidOperationException("The tool would still be polling."),
    };

    private static string? State(JsonObject status) => status["state"]?.GetValue<string>().ToLowerInvariant();
}

/// <summary>
/// Semantic Kernel's Python <c>CrewAIEnterprise</c> plugin: validates the status as <c>{state, result: str | None, last_step:
/// dict | None}</c> (state one of its enum's values), and reads <c>GET /inputs</c> as <c>{"inputs": {name: description}}</c>.
/// </summary>
internal static class SemanticKernelPython
{
    private static readonly string[] States = ["PENDING", "STARTED", "RUNNING", "SUCCESS", "FAILED", "FAILURE", "NOT FOUND"];

    /// <summary>The problems its model would report for this status; empty when it validates.</summary>
    public static IReadOnlyList<string> StatusProblems(JsonObject status)
    {
        var problems = new List<string>();
        if (status["state"] is not JsonValue state || state.GetValueKind() != JsonValueKind.String || !States.Contains(state.GetValue<string>()))
        {
            problems.Add("state is not one of " + string.Join(", ", States));
        }

        if (status["result"] is { } result && result.GetValueKind() != JsonValueKind.String)
        {
            problems.Add("result is not a string or null");
        }

        if (status["last_step"] is { } lastStep && lastStep.GetValueKind() != JsonValueKind.Object)
        {
            problems.Add("last_step is not an object or null");
        }

        return problems;
    }

    public static bool AcceptsInputs(JsonObject inputs) =>
        inputs["inputs"] is JsonObject names && names.All(pair => pair.Value?.GetValueKind() == JsonValueKind.String);
}

/// <summary>
/// Semantic Kernel's .NET <c>CrewAIEnterprise</c> plugin: deserializes the status with System.Text.Json into
/// <c>{State (enum, from its string), string? Result, last_step as a dictionary}</c>, so a <c>result</c> object throws; on a
/// failed state it raises an error whose message ends with <c>Result</c>.
/// </summary>
internal static class SemanticKernelDotNet
{
    public enum KickoffState
    {
        Pending,
        Started,
        Running,
        Success,
        Failed,
        Failure,
        NotFound,
    }

    public static Status Read(string json) => JsonSerializer.Deserialize<Status>(json) ?? throw new JsonException("null status");

    /// <summary>The message of the exception it throws for a failed run.</summary>
    public static string FailureMessage(Status status) => $"Failed to kickoff crew. Result: {status.Result}";

    public sealed class Status
    {
        [JsonPropertyName("state")]
        [JsonConverter(typeof(StateConverter))]
        public KickoffState State { get; set; }

        [JsonPropertyName("result")]
        public string? Result { get; set; }

        [JsonPropertyName("last_step")]
        public Dictionary<string, object>? LastStep { get; set; }
    }

    private sealed class StateConverter : JsonConverter<KickoffState>
    {
        public override KickoffState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString() switch
        {
            "PENDING" => KickoffState.Pending,
            "STARTED" => KickoffState.Started,
            "RUNNING" => KickoffState.Running,
            "SUCCESS" => KickoffState.Success,
            "FAILED" => KickoffState.Failed,
            "FAILURE" => KickoffState.Failure,
            "NOT FOUND" => KickoffState.NotFound,
            var other => throw new JsonException($"Unknown state {other}"),
        };

        public override void Write(Utf8JsonWriter writer, KickoffState value, JsonSerializerOptions options) => throw new NotSupportedException();
    }
}
