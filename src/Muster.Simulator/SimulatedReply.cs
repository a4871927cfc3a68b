namespace Muster.Simulator;

/// <summary>One scripted answer of the simulator; build it with the factory methods.</summary>
public abstract record SimulatedReply
{
    private protected SimulatedReply()
    {
    }

    /// <summary>An assistant text answer. Token counts of -1 are estimated from the words of the request and answer.</summary>
    public static SimulatedReply Text(string content, int promptTokens = -1, int completionTokens = -1, int cachedPromptTokens = 0)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new TextReply(content, promptTokens, completionTokens, cachedPromptTokens);
    }

    /// <summary>An assistant answer that asks the caller to run tools (finish_reason <c>tool_calls</c>).</summary>
    public static SimulatedReply ToolCalls(params SimulatedToolCall[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentOutOfRangeException.ThrowIfZero(calls.Length);
        return new ToolCallsReply(calls);
    }

    /// <summary>An HTTP error in OpenAI's error format, with a <c>Retry-After</c> header when <paramref name="retryAfter"/> is given.</summary>
    public static SimulatedReply Error(int statusCode, string message, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return new ErrorReply(statusCode, message, retryAfter);
    }

    /// <summary>Never answers; the request ends only when the client aborts it (or the simulator stops).</summary>
    public static SimulatedReply Hang() => HangReply.Instance;

    /// <summary>
    /// Waits until <paramref name="signal"/> completes (or the request is aborted), then answers with <paramref name="inner"/>:
    /// lets a test hold an answer back until something else has happened, without timing.
    /// </summary>
    public static SimulatedReply WhenSignalled(Task signal, SimulatedReply inner)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(inner);
        return new SignalledReply(signal, inner);
    }

    /// <summary>Waits <paramref name="delay"/> (on top of the simulator's latency), then answers with <paramref name="inner"/>.</summary>
    public static SimulatedReply Delayed(TimeSpan delay, SimulatedReply inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new DelayedReply(delay, inner);
    }
}

internal sealed record TextReply(string Content, int PromptTokens, int CompletionTokens, int CachedPromptTokens) : SimulatedReply;

internal sealed record ToolCallsReply(IReadOnlyList<SimulatedToolCall> Calls) : SimulatedReply;

internal sealed record ErrorReply(int StatusCode, string Message, TimeSpan? RetryAfter) : SimulatedReply;

internal sealed record HangReply : SimulatedReply
{
    public static readonly HangReply Instance = new();
}

internal sealed record DelayedReply(TimeSpan Delay, SimulatedReply Inner) : SimulatedReply;

internal sealed record SignalledReply(Task Signal, SimulatedReply Inner) : SimulatedReply;
