using System.Text.Json.Serialization;

namespace Muster.Contracts.Runs;

/// <summary>A deployed crew as listed by <c>GET /api/crews</c>.</summary>
public sealed record CrewInfo
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("process")] public required string Process { get; init; }
    [JsonPropertyName("inputs")] public required IReadOnlyList<string> Inputs { get; init; }
    [JsonPropertyName("agents")] public required IReadOnlyList<string> Agents { get; init; }
    [JsonPropertyName("tasks")] public required IReadOnlyList<string> Tasks { get; init; }
}
