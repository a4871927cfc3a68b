using System.Text.Json;
using System.Text.Json.Serialization;

namespace Muster.Core.Engine;

/// <summary>Writes <see cref="TokenUsage"/> as CrewAI's UsageMetrics (<c>token_usage</c>), the total first.</summary>
internal sealed class TokenUsageJsonConverter : JsonConverter<TokenUsage>
{
    public override TokenUsage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Run events are written, not read.");

    public override void Write(Utf8JsonWriter writer, TokenUsage value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("total_tokens", value.TotalTokens);
        writer.WriteNumber("prompt_tokens", value.PromptTokens);
        writer.WriteNumber("completion_tokens", value.CompletionTokens);
        writer.WriteNumber("cached_prompt_tokens", value.CachedPromptTokens);
        writer.WriteNumber("successful_requests", value.SuccessfulRequests);
        writer.WriteEndObject();
    }
}
