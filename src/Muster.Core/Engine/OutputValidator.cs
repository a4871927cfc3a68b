using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Muster.Core.Engine;

/// <summary>What checking an answer against a task's <c>output_json</c> found: the parsed object, or why it does not fit.</summary>
internal sealed record OutputCheck(JsonObject? Value, IReadOnlyList<string> Errors)
{
    public bool IsValid => Value is not null;
}

/// <summary>Checks answers against a task's <c>output_json</c> schema (JSON Schema, through JsonSchema.Net).</summary>
internal sealed class OutputValidator
{
    private const int MaxReportedErrors = 20;
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };
    private readonly JsonSchema _schema;

    private OutputValidator(JsonSchema schema) => _schema = schema;

    /// <summary>Why <paramref name="schema"/> cannot be used for a task's output, or null when it can.</summary>
    public static string? Problem(JsonObject schema)
    {
        if (schema["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String && type.GetValue<string>() != "object")
        {
            return $"a task's structured output is a JSON object, so the schema's type must be 'object', not '{type.GetValue<string>()}'";
        }

        try
        {
            Build(schema);
            return null;
        }
        catch (Exception ex) when (ex is JsonSchemaException or RefResolutionException or JsonException or ArgumentException or InvalidOperationException)
        {
            return ex.Message;
        }
    }

    /// <exception cref="JsonSchemaException">The schema is not valid JSON Schema (the loader reports this earlier).</exception>
    public static OutputValidator Create(JsonObject schema) => new(Build(schema));

    /// <summary>Parses <paramref name="answer"/> (tolerating a Markdown code fence around it) and validates it.</summary>
    public OutputCheck Check(string answer)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(Unfence(answer));
        }
        catch (JsonException ex)
        {
            return new OutputCheck(null, [$"The answer is not valid JSON: {ex.Message}"]);
        }

        if (parsed is not JsonObject value)
        {
            return new OutputCheck(null, ["The answer must be a JSON object."]);
        }

        var results = _schema.Evaluate(ToElement(value), Evaluation);
        if (results.IsValid)
        {
            return new OutputCheck(value, []);
        }

        var errors = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{Location(d.InstanceLocation.ToString())}: {e.Value}"))
            .Distinct(StringComparer.Ordinal)
            .Take(MaxReportedErrors)
            .ToList();
        return new OutputCheck(null, errors.Count > 0 ? errors : ["The answer does not match the schema."]);
    }

    /// <summary>A detached <see cref="JsonElement"/> copy of <paramref name="node"/> (for APIs that take elements).</summary>
    public static JsonElement ToElement(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    private static string Location(string pointer) => pointer.Length == 0 ? "(root)" : pointer;

    private static JsonSchema Build(JsonObject schema)
    {
        // Each schema gets its own registry and base URI, so two crews' schemas with the same $id never collide.
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        return JsonSchema.Build(ToElement(schema), options, new Uri($"https://muster.local/output-schema/{Guid.NewGuid():N}"));
    }

    private static string Unfence(string answer)
    {
        var text = answer.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal))
        {
            return text;
        }

        var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
        var closing = text.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine < 0 || closing <= firstLine ? text : text[(firstLine + 1)..closing].Trim();
    }
}
