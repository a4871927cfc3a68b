using System.Text.Json.Serialization;

namespace Muster.Contracts.Runs;

/// <summary>A file a run's tasks wrote (<c>output_file</c>), as listed by <c>GET /api/crew-runs/{id}/files</c>.</summary>
public sealed record RunFileRecord
{
    /// <summary>The path inside the run's folder, with '/' separators; download it at <c>/api/crew-runs/{id}/files/{path}</c>.</summary>
    [JsonPropertyName("path")] public required string Path { get; init; }

    /// <summary>The file's size in bytes.</summary>
    [JsonPropertyName("size")] public long Size { get; init; }

    /// <summary>
    /// JSON <c>modified_at</c>: when the file was last written, in UTC. A <see cref="DateTimeOffset"/>, so it is written with
    /// <c>+00:00</c> (e.g. <c>2025-05-01T12:00:00.1234567+00:00</c>) rather than the <c>Z</c> of the other timestamps.
    /// </summary>
    [JsonPropertyName("modified_at")] public DateTimeOffset ModifiedAt { get; init; }
}
