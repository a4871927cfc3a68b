using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Muster.Contracts;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Webhooks;

/// <summary>The bodies of the AMP webhooks (COMPATIBILITY.md), each echoing the kickoff's <c>meta</c>.</summary>
internal static class WebhookPayloads
{
    public static string Step(RunRecord run, AgentStep step) => JsonSerializer.Serialize(
        new StepPayload(step.Prompt, step.Thought, step.Tool, step.ToolInput, step.Result, KickoffId(run), run.Meta),
        WebhookJsonContext.Default.StepPayload);

    public static string Task(RunRecord run, TaskCompleted completed)
    {
        var output = completed.TaskOutput;
        return JsonSerializer.Serialize(
            new TaskPayload(output.Description, output.Name, output.ExpectedOutput, output.Summary, output.Agent, output.Raw, output.JsonDict, KickoffId(run), run.Meta),
            WebhookJsonContext.Default.TaskPayload);
    }

    public static string Crew(RunRecord run, CrewKickoffCompleted completed) => JsonSerializer.Serialize(
        new CrewPayload(KickoffId(run), completed.Output, completed.ResultJson, CrewUsage.Of(completed.Usage), run.Meta, Status: null, Error: null),
        WebhookJsonContext.Default.CrewPayload);

    public static string Crew(RunRecord run, CrewKickoffFailed failed) => JsonSerializer.Serialize(
        new CrewPayload(KickoffId(run), Result: null, ResultJson: null, CrewUsage.Of(failed.Usage), run.Meta, failed.Stopped ? "stopped" : "error", failed.Error),
        WebhookJsonContext.Default.CrewPayload);

    public static string HumanInput(RunRecord run, RunEvent runEvent, TaskAwaitingHuman awaiting) => JsonSerializer.Serialize(
        new HumanInputPayload(
            KickoffId(run), awaiting.TaskId, awaiting.TaskName, awaiting.Agent, awaiting.Output, "pending_human_input", run.CrewName, UtcTimestampJsonConverter.Format(runEvent.Timestamp), run.Meta),
        WebhookJsonContext.Default.HumanInputPayload);

    /// <summary>One event of the <c>webhooks</c> stream; the dispatcher wraps batches as <c>{"events": [...]}</c>.</summary>
    public static string StreamEvent(RunEvent runEvent) => JsonSerializer.Serialize(
        new StreamEventPayload(EventId(runEvent), runEvent.RunId.ToString(), UtcTimestampJsonConverter.Format(runEvent.Timestamp), runEvent.Type, runEvent.Data),
        WebhookJsonContext.Default.StreamEventPayload);

    /// <summary>Stable per event, so a receiver can de-duplicate events that arrive twice.</summary>
    public static string EventId(RunEvent runEvent) =>
        string.Create(CultureInfo.InvariantCulture, $"{runEvent.RunId}:{runEvent.Sequence}");

    private static string KickoffId(RunRecord run) => run.Id.ToString();
}

internal sealed record StepPayload(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("thought")] string Thought,
    [property: JsonPropertyName("tool")] string Tool,
    [property: JsonPropertyName("tool_input")] string ToolInput,
    [property: JsonPropertyName("result")] string Result,
    [property: JsonPropertyName("kickoff_id")] string KickoffId,
    [property: JsonPropertyName("meta")] JsonObject? Meta);

internal sealed record TaskPayload(
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("expected_output")] string ExpectedOutput,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("output")] string Output,
    [property: JsonPropertyName("output_json")] JsonObject? OutputJson,
    [property: JsonPropertyName("kickoff_id")] string KickoffId,
    [property: JsonPropertyName("meta")] JsonObject? Meta);

/// <summary>A finished run; <c>status</c> and <c>error</c> only when it failed or was stopped.</summary>
internal sealed record CrewPayload(
    [property: JsonPropertyName("kickoff_id")] string KickoffId,
    [property: JsonPropertyName("result")] string? Result,
    [property: JsonPropertyName("result_json")] JsonObject? ResultJson,
    [property: JsonPropertyName("token_usage")] CrewUsage TokenUsage,
    [property: JsonPropertyName("meta")] JsonObject? Meta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] [property: JsonPropertyName("status")] string? Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] [property: JsonPropertyName("error")] string? Error);

/// <summary>
/// The crew webhook's own, shorter <c>token_usage</c> (COMPATIBILITY.md), with Muster's <c>cost_usd</c> after AMP's fields
/// (null when a call's model has no price).
/// </summary>
internal sealed record CrewUsage(
    [property: JsonPropertyName("total_tokens")] long TotalTokens,
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("completion_tokens")] long CompletionTokens,
    [property: JsonPropertyName("cost_usd")] decimal? CostUsd)
{
    public static CrewUsage Of(TokenUsage usage) => new(usage.TotalTokens, usage.PromptTokens, usage.CompletionTokens, usage.CostUsd);
}

internal sealed record HumanInputPayload(
    [property: JsonPropertyName("kickoff_id")] string KickoffId,
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("task_name")] string TaskName,
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("output")] string Output,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("crew_name")] string CrewName,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("meta")] JsonObject? Meta);

/// <summary>The stream's envelope: the event's name beside its data, which <see cref="RunEventJson"/> writes.</summary>
internal sealed record StreamEventPayload(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("execution_id")] string ExecutionId,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonConverter(typeof(RunEventDataJsonConverter))] [property: JsonPropertyName("data")] RunEventData Data);

/// <summary>
/// The webhook bodies' source-generated contracts; nulls are written unless a property says otherwise. Each field's name is
/// explicit, as the HTTP contracts' are: the OpenAPI document describes these types with the HTTP API's options
/// (ApiDocWebhooks), and it names them as they are sent.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StepPayload))]
[JsonSerializable(typeof(TaskPayload))]
[JsonSerializable(typeof(CrewPayload))]
[JsonSerializable(typeof(HumanInputPayload))]
[JsonSerializable(typeof(StreamEventPayload))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
