using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Muster.Simulator;

/// <summary>Turns a chat completion body into a <see cref="SimulatedRequest"/>, or says why it cannot.</summary>
internal static class RequestParser
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    public static async Task<(SimulatedRequest? Request, string? Error)> ParseAsync(Stream body, CancellationToken cancellationToken)
    {
        JsonNode? root;
        try
        {
            root = await JsonNode.ParseAsync(body, NodeOptions, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, "The request body is not valid JSON: " + ex.Message);
        }

        if (root is not JsonObject json)
        {
            return (null, "The request body must be a JSON object.");
        }

        if (json["model"] is not JsonValue modelValue || !modelValue.TryGetValue(out string? model) || string.IsNullOrEmpty(model))
        {
            return (null, "'model' is required and must be a non-empty string.");
        }

        if (json["stream"] is JsonValue stream && stream.TryGetValue(out bool streaming) && streaming)
        {
            return (null, "Muster's LLM simulator does not support streaming; send \"stream\": false.");
        }

        if (json["messages"] is not JsonArray { Count: > 0 } rawMessages)
        {
            return (null, "'messages' is required and must be a non-empty array.");
        }

        var messages = new SimulatedMessage[rawMessages.Count];
        for (var i = 0; i < rawMessages.Count; i++)
        {
            if (rawMessages[i] is not JsonObject message || message["role"] is not JsonValue roleValue
                || !roleValue.TryGetValue(out string? role))
            {
                return (null, $"messages[{i}] must be an object with a string 'role'.");
            }

            messages[i] = new SimulatedMessage(role, ContentText(message["content"]));
        }

        return (new SimulatedRequest(model, json, messages, ToolNames(json["tools"]), json["response_format"] as JsonObject), null);
    }

    private static string? ContentText(JsonNode? content)
    {
        switch (content)
        {
            case JsonValue value when value.TryGetValue(out string? text):
                return text;
            case JsonArray parts:
                var builder = new StringBuilder();
                foreach (var part in parts)
                {
                    if (part?["text"] is JsonValue partText && partText.TryGetValue(out string? piece))
                    {
                        builder.Append(builder.Length == 0 ? string.Empty : "\n").Append(piece);
                    }
                }

                return builder.ToString();
            default:
                return null;
        }
    }

    private static string[] ToolNames(JsonNode? tools)
    {
        if (tools is not JsonArray { Count: > 0 } array)
        {
            return [];
        }

        var names = new List<string>(array.Count);
        foreach (var tool in array)
        {
            if (tool?["function"]?["name"] is JsonValue name && name.TryGetValue(out string? text))
            {
                names.Add(text);
            }
        }

        return [.. names];
    }
}
