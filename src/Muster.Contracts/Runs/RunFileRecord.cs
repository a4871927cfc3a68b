using System.Text.Json.Serialization;

namespace Muster.Contracts.Runs;

/// <summary>A file a run's tasks wrote (<c>output_file</c>), as listed by <c>GET /api/crew-runs/{id}/files</c>.</summary>
public sealed record RunFileRecord
{
    /// <summary>The path inside the run's folder, with '/' separators; download it at <c>/api/crew-runs/{id}/files/{path}</c>.</summary>
    [JsonPropertyName("path")] public required string Path { get; init; }

    /// <summary>The file's size in bytes.</summary>
    [JsonPropertyName("size")] public long Size { get; init; }

    /// <summary>JSON <c>modified_at</c>: when the file was last written, UTC ISO 8601 ending in <c>Z</c> like every other timestamp.</summary>
    [JsonPropertyName("modified_at")]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public DateTimeOffset ModifiedAt { get; init; }
}
