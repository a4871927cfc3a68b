using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Muster.Core.Engine;

/// <summary>
/// The one JSON form of run events: each event's CrewAI name, and its <c>data</c> object as storage rows, SSE, the events
/// API and the webhooks carry it.
/// </summary>
/// <remarks>
/// Not <c>[JsonPolymorphic]</c>: everywhere an event travels its name sits beside <c>data</c> (the store's type column,
/// SSE's <c>event:</c>, the envelopes' <c>type</c>), never inside it, and a discriminator inside <c>data</c> would change
/// every stored row and payload. So each record is written through its own source-generated contract, and the table
/// below is the one place a record type meets its name.
/// </remarks>
public static class RunEventJson
{
    private static readonly FrozenDictionary<Type, Entry> Table = new Entry[]
    {
        new(RunEventTypes.CrewKickoffStarted, RunEventJsonContext.Default.CrewKickoffStarted),
        new(RunEventTypes.CrewKickoffCompleted, RunEventJsonContext.Default.CrewKickoffCompleted),
        new(RunEventTypes.CrewKickoffFailed, RunEventJsonContext.Default.CrewKickoffFailed),
        new(RunEventTypes.TaskStarted, RunEventJsonContext.Default.TaskStarted),
        new(RunEventTypes.TaskCompleted, RunEventJsonContext.Default.TaskCompleted),
        new(RunEventTypes.TaskFailed, RunEventJsonContext.Default.TaskFailed),
        new(RunEventTypes.TaskAwaitingHuman, RunEventJsonContext.Default.TaskAwaitingHuman),
        new(RunEventTypes.AgentExecutionStarted, RunEventJsonContext.Default.AgentExecutionStarted),
        new(RunEventTypes.AgentExecutionCompleted, RunEventJsonContext.Default.AgentExecutionCompleted),
        new(RunEventTypes.AgentExecutionError, RunEventJsonContext.Default.AgentExecutionError),
        new(RunEventTypes.LlmCallStarted, RunEventJsonContext.Default.LlmCallStarted),
        new(RunEventTypes.LlmCallCompleted, RunEventJsonContext.Default.LlmCallCompleted),
        new(RunEventTypes.LlmCallFailed, RunEventJsonContext.Default.LlmCallFailed),
        new(RunEventTypes.ToolUsageStarted, RunEventJsonContext.Default.ToolUsageStarted),
        new(RunEventTypes.ToolUsageFinished, RunEventJsonContext.Default.ToolUsageFinished),
        new(RunEventTypes.ToolUsageError, RunEventJsonContext.Default.ToolUsageError),
        new(RunEventTypes.OutputValidationFailed, RunEventJsonContext.Default.OutputValidationFailed),
        new(RunEventTypes.LlmGuardrailStarted, RunEventJsonContext.Default.LlmGuardrailStarted),
        new(RunEventTypes.LlmGuardrailCompleted, RunEventJsonContext.Default.LlmGuardrailCompleted),
        new(RunEventTypes.AgentStep, RunEventJsonContext.Default.AgentStep),
        new(RunEventTypes.CrewBudgetExceeded, RunEventJsonContext.Default.CrewBudgetExceeded),
    }.ToFrozenDictionary(entry => entry.Contract.Type);

    /// <summary>The event's CrewAI name (one of <see cref="RunEventTypes"/>).</summary>
    public static string NameOf(RunEventData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Table[data.GetType()].Name;
    }

    /// <summary>The event's <c>data</c> object as JSON text: what the store keeps and serves.</summary>
    public static string Serialize(RunEventData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return JsonSerializer.Serialize(data, Table[data.GetType()].Contract);
    }

    /// <summary>Writes the event's <c>data</c> object, for an envelope that carries it (the webhook event stream).</summary>
    public static void Write(Utf8JsonWriter writer, RunEventData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        JsonSerializer.Serialize(writer, data, Table[data.GetType()].Contract);
    }

    /// <summary>A JSON value as the events write it (strings escaped as everywhere else in the data).</summary>
    public static string Serialize(JsonElement value) => JsonSerializer.Serialize(value, RunEventJsonContext.Default.JsonElement);

    private sealed record Entry(string Name, JsonTypeInfo Contract);
}

/// <summary>Writes a <see cref="RunEventData"/> property with <see cref="RunEventJson"/>: its data object, no discriminator.</summary>
public sealed class RunEventDataJsonConverter : JsonConverter<RunEventData>
{
    /// <inheritdoc/>
    public override RunEventData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Run events are written, not read: the store serves the JSON it stored.");

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, RunEventData value, JsonSerializerOptions options) => RunEventJson.Write(writer, value);
}

/// <summary>Writes <c>result</c> on success and <c>error</c> (even when null) on failure, which property attributes cannot say.</summary>
internal sealed class LlmGuardrailCompletedJsonConverter : JsonConverter<LlmGuardrailCompleted>
{
    public override LlmGuardrailCompleted Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Run events are written, not read.");

    public override void Write(Utf8JsonWriter writer, LlmGuardrailCompleted value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("task_name", value.TaskName);
        writer.WriteBoolean("success", value.Success);
        if (value.Success)
        {
            writer.WriteString("result", value.Result);
        }
        else
        {
            writer.WriteString("error", value.Error);
        }

        writer.WriteNumber("retry_count", value.RetryCount);
        writer.WriteEndObject();
    }
}

/// <summary>The source-generated contracts of the event records; nulls are written unless a property says otherwise.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CrewKickoffStarted))]
[JsonSerializable(typeof(CrewKickoffCompleted))]
[JsonSerializable(typeof(CrewKickoffFailed))]
[JsonSerializable(typeof(TaskStarted))]
[JsonSerializable(typeof(TaskCompleted))]
[JsonSerializable(typeof(TaskFailed))]
[JsonSerializable(typeof(TaskAwaitingHuman))]
[JsonSerializable(typeof(AgentExecutionStarted))]
[JsonSerializable(typeof(AgentExecutionCompleted))]
[JsonSerializable(typeof(AgentExecutionError))]
[JsonSerializable(typeof(LlmCallStarted))]
[JsonSerializable(typeof(LlmCallCompleted))]
[JsonSerializable(typeof(LlmCallFailed))]
[JsonSerializable(typeof(ToolUsageStarted))]
[JsonSerializable(typeof(ToolUsageFinished))]
[JsonSerializable(typeof(ToolUsageError))]
[JsonSerializable(typeof(OutputValidationFailed))]
[JsonSerializable(typeof(LlmGuardrailStarted))]
[JsonSerializable(typeof(LlmGuardrailCompleted))]
[JsonSerializable(typeof(AgentStep))]
[JsonSerializable(typeof(CrewBudgetExceeded))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class RunEventJsonContext : JsonSerializerContext;
