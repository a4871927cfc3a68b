using System.Globalization;
using System.Text.Json.Nodes;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Webhooks;

/// <summary>The bodies of the AMP webhooks (COMPATIBILITY.md), each echoing the kickoff's <c>meta</c>.</summary>
internal static class WebhookPayloads
{
    public static string Step(RunRecord run, RunEvent runEvent)
    {
        var data = runEvent.Data;
        return new JsonObject
        {
            ["prompt"] = Copy(data["prompt"]),
            ["thought"] = Copy(data["thought"]),
            ["tool"] = Copy(data["tool"]),
            ["tool_input"] = Copy(data["tool_input"]),
            ["result"] = Copy(data["result"]),
            ["kickoff_id"] = KickoffId(run),
            ["meta"] = Copy(run.Meta),
        }.ToJsonString();
    }

    public static string Task(RunRecord run, RunEvent runEvent)
    {
        // The task output travels with the event; the data object is the fallback for events read back from the store.
        var data = runEvent.Data;
        var output = runEvent.TaskOutput;
        return new JsonObject
        {
            ["description"] = output is null ? Copy(data["description"]) : output.Description,
            ["name"] = output is null ? Copy(data["task_name"]) : output.Name,
            ["expected_output"] = output is null ? Copy(data["expected_output"]) : output.ExpectedOutput,
            ["summary"] = output is null ? Copy(data["summary"]) : output.Summary,
            ["agent"] = output is null ? Copy(data["agent"]) : output.Agent,
            ["output"] = output is null ? Copy(data["output"]) : output.Raw,
            ["output_json"] = output is null ? Copy(data["output_json"]) : Copy(output.JsonDict),
            ["kickoff_id"] = KickoffId(run),
            ["meta"] = Copy(run.Meta),
        }.ToJsonString();
    }

    public static string Crew(RunRecord run, RunEvent runEvent)
    {
        var data = runEvent.Data;
        var payload = new JsonObject
        {
            ["kickoff_id"] = KickoffId(run),
            ["result"] = Copy(data["output"]),
            ["result_json"] = Copy(data["result_json"]),
            ["token_usage"] = TokenUsage(data["token_usage"] as JsonObject),
            ["meta"] = Copy(run.Meta),
        };
        if (runEvent.Type == RunEventTypes.CrewKickoffFailed)
        {
            payload["status"] = data["stopped"]?.GetValueKind() == System.Text.Json.JsonValueKind.True ? "stopped" : "error";
            payload["error"] = Copy(data["error"]);
        }

        return payload.ToJsonString();
    }

    public static string HumanInput(RunRecord run, RunEvent runEvent)
    {
        var data = runEvent.Data;
        return new JsonObject
        {
            ["kickoff_id"] = KickoffId(run),
            ["task_id"] = Copy(data["task_id"]),
            ["task_name"] = Copy(data["task_name"]),
            ["agent"] = Copy(data["agent"]),
            ["output"] = Copy(data["output"]),
            ["status"] = "pending_human_input",
            ["crew_name"] = run.CrewName,
            ["timestamp"] = Timestamp(runEvent.Timestamp),
            ["meta"] = Copy(run.Meta),
        }.ToJsonString();
    }

    /// <summary>One event of the <c>webhooks</c> stream; the dispatcher wraps batches as <c>{"events": [...]}</c>.</summary>
    public static string StreamEvent(RunEvent runEvent) => new JsonObject
    {
        ["id"] = EventId(runEvent),
        ["execution_id"] = runEvent.RunId.ToString(),
        ["timestamp"] = Timestamp(runEvent.Timestamp),
        ["type"] = runEvent.Type,
        ["data"] = Copy(runEvent.Data),
    }.ToJsonString();

    /// <summary>Stable per event, so a receiver can de-duplicate events that arrive twice.</summary>
    public static string EventId(RunEvent runEvent) =>
        string.Create(CultureInfo.InvariantCulture, $"{runEvent.RunId}:{runEvent.Sequence}");

    private static string KickoffId(RunRecord run) => run.Id.ToString();

    private static string Timestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static JsonObject TokenUsage(JsonObject? usage) => new()
    {
        ["total_tokens"] = Copy(usage?["total_tokens"]) ?? 0,
        ["prompt_tokens"] = Copy(usage?["prompt_tokens"]) ?? 0,
        ["completion_tokens"] = Copy(usage?["completion_tokens"]) ?? 0,
    };

    // A node can have only one parent, and the event's data stays in use elsewhere.
    private static JsonNode? Copy(JsonNode? node) => node?.DeepClone();
}
