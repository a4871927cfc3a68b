using System.Globalization;
using System.Text.Json;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary>
/// The run's waterfall: spans of tasks, LLM calls, tool calls, delegations and guardrail checks, paired from the run's
/// typed events (each start with its end), with durations and tokens.
/// </summary>
internal static class Timeline
{
    public static IReadOnlyList<Span> Build(IReadOnlyList<RunEventRecord> events)
    {
        var spans = new List<Span>();
        var open = new Dictionary<string, Stack<Span>>(StringComparer.Ordinal);
        foreach (var record in events)
        {
            using var json = Parse(record.Data);
            var data = json?.RootElement ?? default;
            var task = Text(data, "task_name");
            var agent = Text(data, "agent");
            switch (record.Type)
            {
                case RunEventTypes.TaskStarted:
                    Open("task", task, $"Task {task}", agent, record);
                    break;
                case RunEventTypes.TaskCompleted:
                    Close("task", task, record, Usage(data), null);
                    break;
                case RunEventTypes.TaskAwaitingHuman:
                    Close("task", Text(data, "task_id") ?? task, record, null, "awaiting review");
                    break;
                case RunEventTypes.TaskFailed:
                    Close("task", task, record, null, Text(data, "error") ?? "failed");
                    break;
                case RunEventTypes.LlmCallStarted:
                    Open("llm", $"{task}|{agent}", $"LLM {Text(data, "model")}", agent, record);
                    break;
                case RunEventTypes.LlmCallCompleted:
                    Close("llm", $"{task}|{agent}", record, Usage(data), null);
                    break;
                case RunEventTypes.LlmCallFailed:
                    Close("llm", $"{task}|{agent}", record, null, Text(data, "error") ?? "failed");
                    break;
                case RunEventTypes.ToolUsageStarted:
                    Open("tool", $"{task}|{agent}|{Text(data, "tool_name")}", $"Tool {Text(data, "tool_name")}", agent, record);
                    break;
                case RunEventTypes.ToolUsageFinished:
                    Close("tool", $"{task}|{agent}|{Text(data, "tool_name")}", record, null, null);
                    break;
                case RunEventTypes.ToolUsageError:
                    Close("tool", $"{task}|{agent}|{Text(data, "tool_name")}", record, null, Text(data, "error") ?? "failed");
                    break;
                case RunEventTypes.AgentExecutionStarted when Text(data, "delegated_by") is { } by:
                    Open("delegation", $"{task}|{agent}", $"Delegated by {by}", agent, record);
                    break;
                case RunEventTypes.AgentExecutionCompleted when Text(data, "delegated_by") is not null:
                    Close("delegation", $"{task}|{agent}", record, null, null);
                    break;
                case RunEventTypes.AgentExecutionError when Text(data, "delegated_by") is not null:
                    Close("delegation", $"{task}|{agent}", record, null, Text(data, "error") ?? "failed");
                    break;
                case RunEventTypes.LlmGuardrailStarted:
                    Open("guardrail", task ?? string.Empty, $"Guardrail {Text(data, "guardrail")}", null, record);
                    break;
                case RunEventTypes.LlmGuardrailCompleted:
                    Close("guardrail", task ?? string.Empty, record, null,
                        data.ValueKind == JsonValueKind.Object && data.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False
                            ? "rejected: " + (Text(data, "error") ?? string.Empty)
                            : null);
                    break;
            }
        }

        return spans;

        void Open(string kind, string? key, string label, string? agent, RunEventRecord record)
        {
            var span = new Span(kind, label, agent, record.Timestamp);
            spans.Add(span);
            var stackKey = kind + "|" + key;
            if (!open.TryGetValue(stackKey, out var stack))
            {
                open[stackKey] = stack = new Stack<Span>();
            }

            stack.Push(span);
        }

        void Close(string kind, string? key, RunEventRecord record, long? tokens, string? problem)
        {
            if (open.TryGetValue(kind + "|" + key, out var stack) && stack.TryPop(out var span))
            {
                span.End = record.Timestamp;
                span.Tokens = tokens;
                span.Problem = problem;
            }
        }
    }

    private static JsonDocument? Parse(string data)
    {
        try
        {
            return JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            // An event the store kept with data this version cannot read: it simply has no span.
            return null;
        }
    }

    private static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Usage(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty("token_usage", out var usage) && usage.ValueKind == JsonValueKind.Object
        && usage.TryGetProperty("total_tokens", out var total) && total.TryGetInt64(out var value)
            ? value
            : null;

    public static string Duration(TimeSpan duration) => duration.TotalSeconds < 1
        ? $"{duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms"
        : $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";

    /// <summary>One bar of the waterfall; <see cref="End"/> is null while it is under way.</summary>
    internal sealed class Span(string kind, string label, string? agent, DateTimeOffset start)
    {
        public string Kind => kind;
        public string Label => label;
        public string? Agent => agent;
        public DateTimeOffset Start => start;
        public DateTimeOffset? End { get; set; }
        public long? Tokens { get; set; }
        public string? Problem { get; set; }
    }
}
