using System.Text;
using System.Text.Json.Nodes;

namespace Muster.Simulator;

/// <summary>The deterministic answers given when nothing is scripted; each says plainly it comes from a simulator.</summary>
internal static class DefaultAnswers
{
    public const string Prefix = "[Simulated answer from Muster's LLM simulator, not a real model] ";
    private const int SummaryWords = 12;
    private const int MaxSchemaDepth = 16;

    public static string For(SimulatedRequest request)
    {
        var format = Text(request.ResponseFormat?["type"]);
        if (format == "json_schema" && request.ResponseFormat!["json_schema"]?["schema"] is JsonObject schema)
        {
            return Placeholder(schema, schema, 0)?.ToJsonString() ?? "null";
        }

        if (format == "json_object")
        {
            return new JsonObject { ["answer"] = Prefix + Summary(request.LastUserMessage) }.ToJsonString();
        }

        return Prefix + Summary(request.LastUserMessage);
    }

    /// <summary>The first words of the message, so answers differ per prompt but stay deterministic.</summary>
    internal static string Summary(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "(no user message)";
        }

        var words = message.Split((char[]?)null, SummaryWords + 1, StringSplitOptions.RemoveEmptyEntries);
        var builder = new StringBuilder("You said: ");
        builder.AppendJoin(' ', words.Take(SummaryWords));
        if (words.Length > SummaryWords)
        {
            builder.Append(" …");
        }

        return builder.ToString();
    }

    /// <summary>The smallest value satisfying the schema: required properties only, placeholders that say "simulated".</summary>
    private static JsonNode? Placeholder(JsonObject schema, JsonObject root, int depth)
    {
        if (depth > MaxSchemaDepth)
        {
            return null;
        }

        if (Text(schema["$ref"]) is { } reference && Resolve(reference, root) is { } target)
        {
            return Placeholder(target, root, depth + 1);
        }

        if (schema["const"] is { } constant)
        {
            return constant.DeepClone();
        }

        if (schema["enum"] is JsonArray { Count: > 0 } choices)
        {
            return choices[0]?.DeepClone();
        }

        foreach (var combinator in (ReadOnlySpan<string>)["anyOf", "oneOf", "allOf"])
        {
            if (schema[combinator] is JsonArray { Count: > 0 } options && options[0] is JsonObject first)
            {
                return Placeholder(first, root, depth + 1);
            }
        }

        return TypeOf(schema) switch
        {
            "string" => SimulatedString(schema),
            "integer" => JsonValue.Create((long)Math.Ceiling(SmallestNumber(schema))),
            "number" => JsonValue.Create(SmallestNumber(schema)),
            "boolean" => JsonValue.Create(false),
            "null" => null,
            "array" => ArrayOf(schema, root, depth),
            _ => ObjectOf(schema, root, depth),
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static double Number(JsonNode? node, double fallback) =>
        node is JsonValue value && value.TryGetValue(out double number) ? number : fallback;

    /// <summary>0 when allowed, else the bound nearest to it.</summary>
    private static double SmallestNumber(JsonObject schema)
    {
        var minimum = Number(schema["minimum"], double.NegativeInfinity);
        var maximum = Number(schema["maximum"], double.PositiveInfinity);
        return Math.Min(Math.Max(0, minimum), maximum);
    }

    private static string? TypeOf(JsonObject schema) => schema["type"] switch
    {
        JsonValue single => Text(single),
        JsonArray many => many.Select(Text).FirstOrDefault(t => t != "null") ?? "null",
        _ => schema.ContainsKey("properties") ? "object" : null,
    };

    private static JsonValue SimulatedString(JsonObject schema)
    {
        var minLength = (int)Math.Min(Number(schema["minLength"], 0), 4096);
        return JsonValue.Create("simulated".PadRight(minLength, '.'));
    }

    private static JsonArray ArrayOf(JsonObject schema, JsonObject root, int depth)
    {
        var array = new JsonArray();
        var minItems = (int)Math.Min(Number(schema["minItems"], 0), 64);
        for (var i = 0; i < minItems; i++)
        {
            array.Add(schema["items"] is JsonObject items ? Placeholder(items, root, depth + 1) : JsonValue.Create("simulated"));
        }

        return array;
    }

    private static JsonObject ObjectOf(JsonObject schema, JsonObject root, int depth)
    {
        var result = new JsonObject();
        if (schema["required"] is not JsonArray required)
        {
            return result;
        }

        var properties = schema["properties"] as JsonObject;
        foreach (var name in required)
        {
            if (Text(name) is not { } key)
            {
                continue;
            }

            result[key] = properties?[key] is JsonObject property ? Placeholder(property, root, depth + 1) : JsonValue.Create("simulated");
        }

        return result;
    }

    private static JsonObject? Resolve(string reference, JsonObject root)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        JsonNode? node = root;
        foreach (var segment in reference[2..].Split('/'))
        {
            node = node?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return node as JsonObject;
    }
}
