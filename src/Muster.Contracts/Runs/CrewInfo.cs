using System.Text.Json.Serialization;

namespace Muster.Contracts.Runs;

/// <summary>A deployed crew as listed by <c>GET /api/crews</c>.</summary>
public sealed record CrewInfo
{
    /// <summary>
    /// The crew's name: crew.yaml's <c>name</c>, else its folder's. It is the <c>{crew}</c> of <c>/crews/{crew}/…</c> and the
    /// <c>crew_type</c> of <c>POST /api/crews/run</c>.
    /// </summary>
    [JsonPropertyName("name")] public required string Name { get; init; }
    /// <summary>crew.yaml's <c>description</c>; absent when it has none.</summary>
    [JsonPropertyName("description")] public string? Description { get; init; }
    /// <summary><c>sequential</c> or <c>hierarchical</c>.</summary>
    [JsonPropertyName("process")] public required string Process { get; init; }
    /// <summary>The crew's placeholders, as <c>GET /inputs</c> lists them: the inputs a run needs.</summary>
    [JsonPropertyName("inputs")] public required IReadOnlyList<string> Inputs { get; init; }
    /// <summary>The agents' roles, trimmed, in agents.yaml order; a hierarchical crew's <c>manager_agent</c> is not listed.</summary>
    [JsonPropertyName("agents")] public required IReadOnlyList<string> Agents { get; init; }
    /// <summary>The task names, in run order.</summary>
    [JsonPropertyName("tasks")] public required IReadOnlyList<string> Tasks { get; init; }
}
