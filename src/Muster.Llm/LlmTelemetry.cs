namespace Muster.Llm;

/// <summary>
/// The telemetry of LLM calls: every provider's pipeline has Microsoft.Extensions.AI's OpenTelemetry step, whose
/// <c>chat {model}</c> spans and GenAI client metrics (<c>gen_ai.client.token.usage</c>,
/// <c>gen_ai.client.operation.duration</c>) come from an activity source and a meter of this name.
/// </summary>
public static class LlmTelemetry
{
    /// <summary>The name of the LLM calls' activity source and meter.</summary>
    public const string SourceName = "Muster.Llm";
}
