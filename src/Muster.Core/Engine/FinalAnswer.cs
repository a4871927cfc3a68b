namespace Muster.Core.Engine;

/// <summary>
/// Reads an agent's final answer out of the model's text. Models prompted or tuned on CrewAI often answer in its ReAct
/// form (<c>Thought: …\nFinal Answer: …</c>); CrewAI keeps what follows the last <c>Final Answer:</c>, and so does Muster,
/// so the task's output is the answer and not the reasoning around it. Any other text is the answer as it is.
/// </summary>
internal static class FinalAnswer
{
    /// <summary>CrewAI's marker, matched as CrewAI matches it: exactly, case and colon included.</summary>
    public const string Marker = "Final Answer:";

    private const string Fence = "```";

    public static string From(string text)
    {
        var at = text.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return text;
        }

        var answer = text[(at + Marker.Length)..].Trim();
        // A fence opened before the marker ("```\nThought: …\nFinal Answer: …\n```") leaves its closing half behind.
        return answer.EndsWith(Fence, StringComparison.Ordinal) && Count(answer, Fence) % 2 == 1
            ? answer[..^Fence.Length].TrimEnd()
            : answer;
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
