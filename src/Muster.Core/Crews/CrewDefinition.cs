using System.Text.Json.Nodes;

namespace Muster.Core.Crews;

/// <summary>How a crew runs its tasks.</summary>
public enum CrewProcess
{
    Sequential,
    Hierarchical,
}

/// <summary>
/// A crew as loaded from agents.yaml, tasks.yaml and crew.yaml (or given in a request).
/// Before a run starts it is interpolated with the run's inputs (<see cref="CrewInterpolator"/>);
/// the interpolated copy is the snapshot a run keeps.
/// </summary>
public sealed record CrewDefinition
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public CrewProcess Process { get; init; } = CrewProcess.Sequential;
    /// <summary>The crew's default model (<c>provider/model</c>); an agent's own <c>llm</c> wins.</summary>
    public string? Llm { get; init; }
    public string? ManagerLlm { get; init; }
    public AgentDefinition? ManagerAgent { get; init; }
    public bool Verbose { get; init; }
    public required IReadOnlyList<AgentDefinition> Agents { get; init; }
    /// <summary>Tasks in execution order.</summary>
    public required IReadOnlyList<TaskDefinition> Tasks { get; init; }
    /// <summary>The placeholders of the crew: exactly the inputs a kickoff must supply, in first-seen order.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }
    /// <summary>The input values this copy was interpolated with (set by <see cref="CrewInterpolator.Interpolate"/>); null before interpolation.</summary>
    public JsonObject? InputValues { get; init; }
    /// <summary>
    /// Given in an API request (an ad-hoc crew) rather than deployed by the operator: the MCP servers it names are
    /// reached only through the host's network guard, and never started as processes.
    /// </summary>
    public bool AdHoc { get; init; }

    public AgentDefinition? FindAgent(string key) => Agents.FirstOrDefault(a => a.Key == key);
}

/// <summary>An agent of agents.yaml, keyed by its name.</summary>
public sealed record AgentDefinition
{
    public required string Key { get; init; }
    public required string Role { get; init; }
    public required string Goal { get; init; }
    public required string Backstory { get; init; }
    public string? Llm { get; init; }
    public IReadOnlyList<string> Tools { get; init; } = [];
    public bool AllowDelegation { get; init; }
    public int MaxIter { get; init; } = 25;
    public int? MaxRpm { get; init; }
    public bool Verbose { get; init; }
    /// <summary>MCP servers: a URL string, or an object with url/command/args/env/tool_filter.</summary>
    public IReadOnlyList<JsonNode> Mcps { get; init; } = [];
    public bool UseDefaultMcps { get; init; }
    /// <summary>Fields of agents.yaml Muster does not act on yet, kept as written (reported as warnings at load).</summary>
    public JsonObject? UnsupportedFields { get; init; }
}

/// <summary>A task of tasks.yaml; <see cref="Name"/> is its key.</summary>
public sealed record TaskDefinition
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string ExpectedOutput { get; init; }
    /// <summary>Key of the agent that performs the task; null only in a hierarchical crew.</summary>
    public string? Agent { get; init; }
    /// <summary>Names of earlier tasks whose outputs are this task's context; null means all earlier tasks (CrewAI's default).</summary>
    public IReadOnlyList<string>? Context { get; init; }
    public IReadOnlyList<string> Tools { get; init; } = [];
    public bool HumanInput { get; init; }
    public string? OutputFile { get; init; }
    public bool AsyncExecution { get; init; }
    /// <summary>A JSON Schema the output must satisfy.</summary>
    public JsonNode? OutputJson { get; init; }
    public string? Guardrail { get; init; }
    public int GuardrailMaxRetries { get; init; } = 3;
    public bool Markdown { get; init; }
    /// <summary>Fields of tasks.yaml Muster does not act on yet, kept as written (reported as warnings at load).</summary>
    public JsonObject? UnsupportedFields { get; init; }

    /// <summary>CrewAI's summary: the first ten words of the description followed by "...".</summary>
    public string Summary
    {
        get
        {
            var words = Description.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return string.Join(' ', words.Take(10)) + "...";
        }
    }
}
