using System.Text.Json.Serialization;

namespace Muster.Contracts.Runs;

/// <summary>A file a run's tasks wrote (<c>output_file</c>), as listed by <c>GET /api/crew-runs/{id}/files</c>.</summary>
public sealed record RunFileRecord
{
    /// <summary>The path inside the run's folder, with '/' separators; download it at <c>/api/crew-runs/{id}/files/{path}</c>.</summary>
    [JsonPropertyName("path")] public required string Path { get; init; }

    [JsonPropertyName("size")] public long Size { get; init; }

    [JsonPropertyName("modified_at")] public DateTimeOffset ModifiedAt { get; init; }
}
