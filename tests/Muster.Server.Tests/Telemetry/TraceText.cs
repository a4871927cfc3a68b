using System.Diagnostics;
using System.Text;

namespace Muster.Server.Tests.Telemetry;

/// <summary>A trace as an indented tree of span names with their main attributes (docs/OBSERVABILITY.md shows one).</summary>
internal static class TraceText
{
    private static readonly string[] Shown = ["gen_ai.request.model", "gen_ai.tool.name", "muster.guardrail.passed", "muster.run.outcome", "http.response.status_code"];

    public static string Write(IReadOnlyList<Activity> spans, Activity root)
    {
        var text = new StringBuilder();
        Write(spans, root, 0, text);
        return text.ToString();
    }

    private static void Write(IReadOnlyList<Activity> spans, Activity span, int depth, StringBuilder text)
    {
        var tags = Shown.Select(key => span.GetTagItem(key) is { } value ? $"{key}={value}" : null).OfType<string>();
        text.Append(' ', depth * 2).Append(span.DisplayName).Append(" [").Append(span.Kind).Append(']');
        if (tags.Any())
        {
            text.Append("  ").AppendJoin(", ", tags);
        }

        text.AppendLine();
        foreach (var child in spans.Where(s => s.ParentSpanId == span.SpanId).OrderBy(s => s.StartTimeUtc))
        {
            Write(spans, child, depth + 1, text);
        }
    }
}
