using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Muster.Core.Crews;

/// <summary>Collects the problems of one load, each pinned to a file and a node's position.</summary>
internal sealed class DiagnosticBag
{
    public List<CrewDiagnostic> Items { get; } = [];

    public bool HasErrors => Items.Any(d => d.Severity == CrewDiagnosticSeverity.Error);

    public void Error(string file, YamlNode? node, string message) => Add(CrewDiagnosticSeverity.Error, file, node, message);

    public void Warning(string file, YamlNode? node, string message) => Add(CrewDiagnosticSeverity.Warning, file, node, message);

    public void Add(CrewDiagnosticSeverity severity, string file, YamlNode? node, string message) =>
        Items.Add(new CrewDiagnostic(severity, file, (int)(node?.Start.Line ?? 0), (int)(node?.Start.Column ?? 0), message));
}

/// <summary>Reads one YAML file into its root mapping and turns field values into typed values, reporting what it cannot read.</summary>
internal sealed partial class YamlFile(string path, YamlMappingNode? root, DiagnosticBag diagnostics)
{
    public string Path { get; } = path;
    public YamlMappingNode? Root { get; } = root;

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    /// <summary>Loads <paramref name="path"/>; a syntax error or a root that is not a mapping becomes a diagnostic and a null root.</summary>
    public static YamlFile Load(string path, DiagnosticBag diagnostics)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(path, null, $"cannot read the file: {ex.Message}");
            return new YamlFile(path, null, diagnostics);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var message = PositionPrefix().Replace(ex.Message, "");
            if (message.StartsWith("Duplicate key", StringComparison.Ordinal))
            {
                message = "duplicate name: " + message;
            }

            diagnostics.Items.Add(new CrewDiagnostic(CrewDiagnosticSeverity.Error, path, (int)ex.Start.Line, (int)ex.Start.Column, "YAML syntax error: " + message));
            return new YamlFile(path, null, diagnostics);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new YamlFile(path, new YamlMappingNode(), diagnostics);
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
        {
            diagnostics.Error(path, stream.Documents[0].RootNode, "the file must be a mapping of names to fields");
            return new YamlFile(path, null, diagnostics);
        }

        return new YamlFile(path, mapping, diagnostics);
    }

    public static IEnumerable<(string Key, YamlScalarNode KeyNode, YamlNode Value)> Entries(YamlMappingNode mapping) =>
        mapping.Children
            .Where(p => p.Key is YamlScalarNode)
            .Select(p => (((YamlScalarNode)p.Key).Value ?? "", (YamlScalarNode)p.Key, p.Value));

    public string? Text(YamlNode node, string field)
    {
        if (node is YamlScalarNode scalar)
        {
            return IsNull(scalar) ? null : scalar.Value;
        }

        diagnostics.Error(Path, node, $"'{field}' must be text");
        return null;
    }

    public bool? Bool(YamlNode node, string field)
    {
        var text = Text(node, field);
        switch (text?.ToLowerInvariant())
        {
            case null:
                return null;
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                diagnostics.Error(Path, node, $"'{field}' must be true or false, not '{text}'");
                return null;
        }
    }

    public int? PositiveInt(YamlNode node, string field) => WholeNumber(node, field, 1);

    public int? WholeNumber(YamlNode node, string field, int minimum)
    {
        var text = Text(node, field);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }

        diagnostics.Error(Path, node, minimum == 1
            ? $"'{field}' must be a whole number above 0, not '{text}'"
            : $"'{field}' must be a whole number of at least {minimum}, not '{text}'");
        return null;
    }

    /// <summary>A list of names; a single name is accepted as a list of one.</summary>
    public List<(string Name, YamlNode Node)> Names(YamlNode node, string field)
    {
        switch (node)
        {
            case YamlScalarNode scalar when IsNull(scalar):
                return [];
            case YamlScalarNode scalar:
                return [(scalar.Value ?? "", scalar)];
            case YamlSequenceNode sequence:
                var names = new List<(string, YamlNode)>();
                foreach (var item in sequence.Children)
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } value })
                    {
                        names.Add((value, item));
                    }
                    else
                    {
                        diagnostics.Error(Path, item, $"each item of '{field}' must be a name");
                    }
                }

                return names;
            default:
                diagnostics.Error(Path, node, $"'{field}' must be a list of names");
                return [];
        }
    }

    /// <summary>A YAML value as JSON, for fields kept as data (mcps, output_json, unsupported fields).</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode scalar when IsNull(scalar) => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlMappingNode mapping => new JsonObject(Entries(mapping).Select(e => KeyValuePair.Create(e.Key, ToJson(e.Value)))),
        _ => null,
    };

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
}
