using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Core.Engine;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Muster.Core.Crews;

/// <summary>Reads a task's <c>output_json</c>: a JSON Schema written as a YAML mapping or as a JSON string.</summary>
internal static class OutputSchemas
{
    public static JsonObject? Parse(YamlFile file, YamlNode node, DiagnosticBag diagnostics, string what)
    {
        JsonNode? schema;
        switch (node)
        {
            case YamlMappingNode mapping:
                schema = Typed(mapping);
                break;
            case YamlScalarNode { Value: { Length: > 0 } text }:
                try
                {
                    schema = JsonNode.Parse(text);
                }
                catch (JsonException ex)
                {
                    diagnostics.Error(file.Path, node, $"{what}: 'output_json' is not valid JSON: {ex.Message}");
                    return null;
                }

                break;
            default:
                diagnostics.Error(file.Path, node, $"{what}: 'output_json' must be a JSON Schema (a mapping, or a JSON string)");
                return null;
        }

        if (schema is not JsonObject root)
        {
            diagnostics.Error(file.Path, node, $"{what}: 'output_json' must be a JSON Schema object");
            return null;
        }

        if (OutputValidator.Problem(root) is { } problem)
        {
            diagnostics.Error(file.Path, node, $"{what}: 'output_json' is not a usable JSON Schema: {problem}");
            return null;
        }

        return root;
    }

    /// <summary>
    /// YAML as JSON with the plain scalars YAML's core schema types (numbers, booleans, null) kept typed,
    /// so that <c>minimum: 1</c> and <c>additionalProperties: false</c> mean what they say.
    /// </summary>
    private static JsonNode? Typed(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(YamlFile.Entries(mapping).Select(e => KeyValuePair.Create(e.Key, Typed(e.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Typed).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => PlainScalar(scalar.Value),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };

    private static JsonNode? PlainScalar(string? value) => value switch
    {
        null or "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => JsonValue.Create(whole),
        _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => JsonValue.Create(number),
        _ => JsonValue.Create(value),
    };
}
