using System.Globalization;
using Muster.Contracts;

namespace Muster.Cli.Infrastructure;

/// <summary>Values as people read them, the same on every machine (invariant culture, one line).</summary>
internal static class Display
{
    public static string Tokens(TokenUsage usage) =>
        $"{Count(usage.TotalTokens)} ({Count(usage.PromptTokens)} prompt, {Count(usage.CompletionTokens)} completion{Cost(usage.CostUsd)})";

    /// <summary>", $0.0123" for a known cost; ", cost unknown" when a model had no price (never shown as $0).</summary>
    private static string Cost(decimal? costUsd) => costUsd is { } cost ? $", {DisplayText.Usd(cost)}" : ", cost unknown";

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>Names such as agent roles often come from folded YAML with a trailing newline; a table cell or status line wants one line.</summary>
    public static string OneLine(string? text) => (text ?? string.Empty).ReplaceLineEndings(" ").Trim();

    /// <summary>The command that approves a run's pending review.</summary>
    public static string ApproveCommand(Guid runId, string task) => $"muster resume {runId} --task {task} --approve";

    /// <summary>The commands that answer a run's pending review, as <c>muster status</c> shows them.</summary>
    public static string ResumeCommand(Guid runId, string task) => $"{ApproveCommand(runId, task)} (or --retry --feedback TEXT)";
}
