namespace Muster.Testing;

/// <summary>One scripted answer of the <see cref="AnthropicStandIn"/>; build it with the factory methods.</summary>
public abstract record AnthropicReply
{
    private protected AnthropicReply()
    {
    }

    /// <summary>A text answer (<c>stop_reason: end_turn</c>) with the usage the Messages API reports, cache reads and writes apart.</summary>
    public static AnthropicReply Text(string text, AnthropicUsage? usage = null) => new AnthropicTextReply(text, usage ?? AnthropicUsage.Small);

    /// <summary>An answer that asks for tools (<c>stop_reason: tool_use</c>), one <c>tool_use</c> block per call.</summary>
    public static AnthropicReply ToolUses(params (string Name, string InputJson)[] calls) => new AnthropicToolUseReply(calls);

    /// <summary>An error answer in the Messages API's shape, with a <c>retry-after</c> header (whole seconds) when given.</summary>
    public static AnthropicReply Error(int status, string type, string message, int? retryAfterSeconds = null) =>
        new AnthropicErrorReply(status, type, message, retryAfterSeconds);
}

/// <summary>The Messages API's <c>usage</c>: <c>input_tokens</c> counts neither the cache reads nor the cache writes.</summary>
public sealed record AnthropicUsage(int InputTokens, int OutputTokens, int CacheReadInputTokens = 0, int CacheCreationInputTokens = 0)
{
    public static readonly AnthropicUsage Small = new(10, 5);
}

internal sealed record AnthropicTextReply(string Content, AnthropicUsage Usage) : AnthropicReply;

internal sealed record AnthropicToolUseReply(IReadOnlyList<(string Name, string InputJson)> Calls) : AnthropicReply;

internal sealed record AnthropicErrorReply(int Status, string Type, string Message, int? RetryAfterSeconds) : AnthropicReply;
