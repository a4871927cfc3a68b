using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Muster.Core.Crews;

/// <summary>A kickoff did not supply every placeholder of the crew.</summary>
public sealed class MissingInputsException(IReadOnlyList<string> missing)
    : Exception("Missing required inputs: " + string.Join(", ", missing))
{
    /// <summary>The missing input names, in the crew's placeholder order.</summary>
    public IReadOnlyList<string> Missing { get; } = missing;
}

/// <summary>
/// Fills <c>{name}</c> placeholders exactly as CrewAI does: only names matching
/// <c>[A-Za-z_][A-Za-z0-9_-]*</c> in braces are placeholders, so JSON examples in a description stay literal.
/// </summary>
public static partial class CrewInterpolator
{
    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_\-]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();

    /// <summary>The placeholder names in <paramref name="text"/>, each once, in first-seen order.</summary>
    public static IReadOnlyList<string> FindPlaceholders(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Contains('{', StringComparison.Ordinal))
        {
            return [];
        }

        var names = new List<string>();
        foreach (var match in PlaceholderPattern().EnumerateMatches(text))
        {
            var name = NameOf(text.AsSpan(match.Index, match.Length));
            if (!Contains(names, name))
            {
                names.Add(name.ToString());
            }
        }

        return names;
    }

    /// <summary>The placeholders of a whole crew, in first-seen order: agents first, then tasks, in file order.</summary>
    public static IReadOnlyList<string> FindPlaceholders(CrewDefinition crew)
    {
        var names = new List<string>();
        foreach (var text in InterpolatedTexts(crew))
        {
            foreach (var name in FindPlaceholders(text))
            {
                if (!names.Contains(name, StringComparer.Ordinal))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    /// <summary>
    /// A copy of <paramref name="crew"/> with every placeholder filled from <paramref name="inputs"/>;
    /// the copy remembers the inputs in <see cref="CrewDefinition.InputValues"/>.
    /// </summary>
    /// <exception cref="MissingInputsException">An input the crew needs is absent or null.</exception>
    public static CrewDefinition Interpolate(CrewDefinition crew, JsonObject inputs)
    {
        ArgumentNullException.ThrowIfNull(crew);
        ArgumentNullException.ThrowIfNull(inputs);

        var missing = FindPlaceholders(crew).Where(name => inputs[name] is null).ToList();
        if (missing.Count > 0)
        {
            throw new MissingInputsException(missing);
        }

        var values = inputs.ToDictionary(p => p.Key, p => Render(p.Value), StringComparer.Ordinal);
        return crew with
        {
            Agents = crew.Agents.Select(a => FillAgent(a, values)).ToList(),
            ManagerAgent = crew.ManagerAgent is null ? null : FillAgent(crew.ManagerAgent, values),
            Tasks = crew.Tasks.Select(t => t with
            {
                Description = Fill(t.Description, values),
                ExpectedOutput = Fill(t.ExpectedOutput, values),
                OutputFile = t.OutputFile is null ? null : Fill(t.OutputFile, values),
            }).ToList(),
            InputValues = (JsonObject)inputs.DeepClone(),
        };
    }

    private static AgentDefinition FillAgent(AgentDefinition agent, IReadOnlyDictionary<string, string> values) => agent with
    {
        Role = Fill(agent.Role, values),
        Goal = Fill(agent.Goal, values),
        Backstory = Fill(agent.Backstory, values),
    };

    /// <summary>Fills the placeholders of one text; a name without a value stays as written.</summary>
    /// <remarks>
    /// Every kickoff and every claim of a run fills each text of its crew: matched without <see cref="Match"/> objects
    /// and a delegate per text (a twentieth of what a node allocated per task, bench/RESULTS.md), and a text without a
    /// placeholder comes back as it is.
    /// </remarks>
    public static string Fill(string text, IReadOnlyDictionary<string, string> values)
    {
        if (!text.Contains('{', StringComparison.Ordinal))
        {
            return text;
        }

        // Looked up by the name's span where the dictionary allows it (an ordinal one, as Interpolate makes), else by a string.
        Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> bySpan = default;
        var spans = values is Dictionary<string, string> dictionary && dictionary.TryGetAlternateLookup(out bySpan);
        StringBuilder? filled = null;
        var copied = 0;
        foreach (var match in PlaceholderPattern().EnumerateMatches(text))
        {
            var name = NameOf(text.AsSpan(match.Index, match.Length));
            string? value;
            var found = spans ? bySpan.TryGetValue(name, out value) : values.TryGetValue(name.ToString(), out value);
            if (!found)
            {
                continue;
            }

            filled ??= new StringBuilder(text.Length + value!.Length);
            filled.Append(text, copied, match.Index - copied).Append(value);
            copied = match.Index + match.Length;
        }

        return filled is null ? text : filled.Append(text, copied, text.Length - copied).ToString();
    }

    // A match is the name in braces.
    private static ReadOnlySpan<char> NameOf(ReadOnlySpan<char> match) => match[1..^1];

    private static bool Contains(List<string> names, ReadOnlySpan<char> name)
    {
        foreach (var known in names)
        {
            if (name.SequenceEqual(known))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<string?> InterpolatedTexts(CrewDefinition crew)
    {
        foreach (var agent in crew.ManagerAgent is null ? crew.Agents : crew.Agents.Append(crew.ManagerAgent))
        {
            yield return agent.Role;
            yield return agent.Goal;
            yield return agent.Backstory;
        }

        foreach (var task in crew.Tasks)
        {
            yield return task.Description;
            yield return task.ExpectedOutput;
            yield return task.OutputFile;
        }
    }

    /// <summary>
    /// How an input's value is filled in: a string as it is; anything else as JSON text, which gives true/false lower-case
    /// like CrewAI's templates; null as nothing.
    /// </summary>
    public static string Render(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}
