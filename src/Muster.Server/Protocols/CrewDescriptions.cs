using System.Text.Json.Nodes;
using Muster.Core.Crews;

namespace Muster.Server.Protocols;

/// <summary>How a crew presents itself on every protocol: a description, and the JSON schema of its inputs.</summary>
internal static class CrewDescriptions
{
    /// <summary>The crew's own description, or one made of its agents and tasks.</summary>
    public static string Describe(CrewDefinition crew) =>
        !string.IsNullOrWhiteSpace(crew.Description)
            ? crew.Description.Trim()
            : $"Runs the crew '{crew.Name}': {string.Join("; ", crew.Tasks.Select(task => $"{task.Name} ({OneLine(task.Description)})"))}. "
              + $"Agents: {string.Join(", ", crew.Agents.Select(agent => OneLine(agent.Role)))}.";

    /// <summary>An object with one required string property per placeholder of the crew.</summary>
    public static JsonObject InputSchema(CrewDefinition crew)
    {
        var properties = new JsonObject();
        foreach (var input in crew.Inputs)
        {
            properties[input] = new JsonObject { ["type"] = "string", ["description"] = $"Fills {{{input}}} in the crew's agents and tasks." };
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray([.. crew.Inputs.Select(input => (JsonNode)input)]),
        };
    }

    /// <summary>Inputs from plain text, which fits a crew with exactly one input; null otherwise.</summary>
    public static JsonObject? FromText(CrewDefinition crew, string? text) =>
        crew.Inputs.Count == 1 && !string.IsNullOrWhiteSpace(text) ? new JsonObject { [crew.Inputs[0]] = text } : null;

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 120 ? line : line[..117] + "...";
    }
}
