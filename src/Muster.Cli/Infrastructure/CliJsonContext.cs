using System.Text.Json.Serialization;

namespace Muster.Cli.Infrastructure;

/// <summary>One problem in a crew's files (<c>muster crews validate --json</c>).</summary>
internal sealed record DiagnosticOutput(
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("line")] int Line,
    [property: JsonPropertyName("column")] int Column,
    [property: JsonPropertyName("message")] string Message);

/// <summary>One crew folder checked by <c>muster crews validate --json</c>.</summary>
internal sealed record CrewValidationOutput(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("crew")] string? Crew,
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("diagnostics")] IReadOnlyList<DiagnosticOutput> Diagnostics);

/// <summary>JSON shapes that belong to the CLI itself; API answers are written with the API's own contracts.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<CrewValidationOutput>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
