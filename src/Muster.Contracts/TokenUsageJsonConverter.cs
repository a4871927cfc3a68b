using System.Text.Json;
using System.Text.Json.Serialization;

namespace Muster.Contracts;

/// <summary>
/// The one JSON form of <see cref="TokenUsage"/>: <c>{total_tokens, prompt_tokens, completion_tokens, cached_prompt_tokens,
/// successful_requests, cost_usd}</c>, in that order (<c>cost_usd</c> null when unknown). Reading also accepts the camel-case
/// names (<c>promptTokens</c>, …) under which stores written before this form kept task outputs' usage; a missing total is
/// the sum of the prompt and completion tokens, and a missing cost is unknown (usage recorded before costs were).
/// </summary>
public sealed class TokenUsageJsonConverter : JsonConverter<TokenUsage>
{
    /// <inheritdoc/>
    public override TokenUsage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Token usage must be a JSON object.");
        }

        long? total = null;
        long prompt = 0, completion = 0, cached = 0, requests = 0;
        decimal? cost = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "total_tokens" or "totalTokens":
                    total = Number(ref reader);
                    break;
                case "prompt_tokens" or "promptTokens":
                    prompt = Number(ref reader);
                    break;
                case "completion_tokens" or "completionTokens":
                    completion = Number(ref reader);
                    break;
                case "cached_prompt_tokens" or "cachedPromptTokens":
                    cached = Number(ref reader);
                    break;
                case "successful_requests" or "successfulRequests":
                    requests = Number(ref reader);
                    break;
                case "cost_usd" or "costUsd":
                    cost = reader.TokenType switch
                    {
                        JsonTokenType.Number => reader.GetDecimal(),
                        JsonTokenType.Null => null,
                        _ => throw new JsonException($"A cost must be a number or null, not {reader.TokenType}."),
                    };
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return TokenUsage.Read(total ?? prompt + completion, prompt, completion, cached, requests, cost);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TokenUsage value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteNumber("total_tokens", value.TotalTokens);
        writer.WriteNumber("prompt_tokens", value.PromptTokens);
        writer.WriteNumber("completion_tokens", value.CompletionTokens);
        writer.WriteNumber("cached_prompt_tokens", value.CachedPromptTokens);
        writer.WriteNumber("successful_requests", value.SuccessfulRequests);
        WriteCost(writer, value.CostUsd);
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>cost_usd</c>: the number, or null when the cost is unknown.</summary>
    public static void WriteCost(Utf8JsonWriter writer, decimal? costUsd)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (costUsd is { } cost)
        {
            writer.WriteNumber("cost_usd", cost);
        }
        else
        {
            writer.WriteNull("cost_usd");
        }
    }

    // A count is an integer; JSON from elsewhere may write one as 12.0, or leave it null.
    private static long Number(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out var whole) => whole,
        JsonTokenType.Number => (long)reader.GetDouble(),
        JsonTokenType.Null => 0,
        _ => throw new JsonException($"A token count must be a number, not {reader.TokenType}."),
    };
}
