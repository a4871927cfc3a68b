using System.Text.Json.Nodes;
using Muster.Contracts.Runs;

namespace Muster.Cli.Infrastructure;

/// <summary>One line per run event, for people: sequence, time, type and the fields that matter for that type.</summary>
internal static class EventText
{
    private const int MaxText = 120;

    public static string Describe(RunEventDto runEvent)
    {
        var data = runEvent.Data ?? [];
        var detail = runEvent.Type switch
        {
            "crew_kickoff_started" => $"{Text(data, "crew_name")}, {Text(data, "total_tasks")} tasks",
            "task_started" or "agent_execution_started" => $"{Text(data, "task_name")} by {Text(data, "agent")}",
            "task_completed" or "agent_execution_completed" or "task_awaiting_human" =>
                $"{Text(data, "task_name")} by {Text(data, "agent")}: {Short(Text(data, "output"))}",
            "task_failed" or "agent_execution_error" or "llm_call_failed" or "tool_usage_error" or "crew_kickoff_failed" =>
                $"{Text(data, "task_name")} {Short(Text(data, "error"))}".Trim(),
            "llm_call_completed" => $"{Text(data, "model")}, {Text(data["token_usage"] as JsonObject ?? [], "total_tokens")} tokens",
            "llm_call_started" => Text(data, "model"),
            "tool_usage_started" or "tool_usage_finished" => Text(data, "tool_name"),
            "crew_kickoff_completed" => Short(Text(data, "output")),
            _ => string.Empty,
        };
        return $"{runEvent.Sequence,5} {runEvent.Timestamp} {runEvent.Type}{(detail.Length > 0 ? " " + detail : string.Empty)}";
    }

    private static string Text(JsonObject data, string name) => data[name] switch
    {
        JsonValue value when value.TryGetValue(out string? text) => Display.OneLine(text),
        JsonNode node => node.ToJsonString(),
        null => string.Empty,
    };

    private static string Short(string text) =>
        text.Length <= MaxText ? text : text[..MaxText] + "…";
}
