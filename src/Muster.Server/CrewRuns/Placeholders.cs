using System.Text.RegularExpressions;

namespace Muster.Server.CrewRuns;

/// <summary>
/// Finds CrewAI placeholders (<c>{topic}</c>) in crew text. Only identifier-shaped names count, so
/// JSON braces in a prompt (<c>{"a": 1}</c>) are not mistaken for inputs.
/// </summary>
internal static partial class Placeholders
{
    /// <summary>Distinct placeholder names in first-seen order.</summary>
    public static IReadOnlyList<string> Find(IEnumerable<string?> texts)
    {
        var seen = new List<string>();
        foreach (var text in texts)
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            foreach (Match match in Pattern().Matches(text))
            {
                var name = match.Groups[1].Value;
                if (!seen.Contains(name, StringComparer.Ordinal))
                {
                    seen.Add(name);
                }
            }
        }

        return seen;
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_\-]*)\}")]
    private static partial Regex Pattern();
}
