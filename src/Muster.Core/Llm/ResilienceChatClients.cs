using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Muster.Core.Llm;

/// <summary>Retries transient provider failures with exponential backoff and jitter, honouring Retry-After.</summary>
public sealed partial class RetryingChatClient(IChatClient inner, int maxRetries, LlmOptions options, TimeProvider timeProvider, ILogger logger)
    : DelegatingChatClient(inner)
{
    /// <summary>
    /// Calls the inner client, retrying transient failures (408, 409, 429, 5xx, timeouts, dropped connections) up to the
    /// provider's <c>MaxRetries</c>, then throws an <see cref="LlmProviderException"/> that says how many attempts were made.
    /// Other failures pass through at once.
    /// </summary>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var history = messages as IList<ChatMessage> ?? messages.ToList();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await base.GetResponseAsync(history, options, cancellationToken);
            }
            catch (LlmProviderException ex) when (ex.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= maxRetries)
                {
                    throw new LlmProviderException($"{ex.Message} (gave up after {attempt + 1} attempts)", ex.StatusCode, ex.RetryAfter, isTransient: false, ex);
                }

                var delay = DelayFor(attempt, ex.RetryAfter);
                LogRetry(logger, options?.ModelId, attempt + 1, delay.TotalMilliseconds, ex.StatusCode);
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
        }
    }

    /// <summary>Not supported: Muster's engine does not stream.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Muster's engine does not stream.");

    private TimeSpan DelayFor(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > options.MaxRetryAfter ? options.MaxRetryAfter : asked;
        }

        var exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var capped = Math.Min(exponential, options.RetryMaxDelay.TotalMilliseconds);
        // Jitter spreads the retries of many runs hitting the same limit at once.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM call to {Model} failed (status {Status}); retry {Attempt} in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string? model, int attempt, double delayMs, int? status);
}

/// <summary>Abandons a call that takes longer than the provider's timeout, as a transient failure.</summary>
public sealed class TimeoutChatClient(IChatClient inner, TimeSpan timeout, TimeProvider timeProvider) : DelegatingChatClient(inner)
{
    /// <summary>Calls the inner client, abandoning the call after the timeout with a transient <see cref="LlmProviderException"/>.</summary>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await base.GetResponseAsync(messages, options, linked.Token);
        }
        catch (OperationCanceledException ex) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new LlmProviderException($"The LLM provider did not answer within {timeout.TotalSeconds:0.###} s.", isTransient: true, inner: ex);
        }
    }
}

/// <summary>
/// Keeps an agent under its <c>max_rpm</c>: at most that many calls start in any sixty seconds.
/// One per agent per run; it is never disposed because disposing would dispose the shared provider client.
/// </summary>
public sealed class RpmLimitedChatClient(IChatClient inner, int maxRpm, TimeProvider timeProvider) : DelegatingChatClient(inner)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Queue<DateTimeOffset> _starts = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Waits, when needed, until fewer than <c>max_rpm</c> calls started in the last minute, then calls the inner client.</summary>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow();
            while (_starts.Count > 0 && now - _starts.Peek() >= Window)
            {
                _starts.Dequeue();
            }

            if (_starts.Count >= maxRpm)
            {
                await Task.Delay(_starts.Dequeue() + Window - now, timeProvider, cancellationToken);
            }

            _starts.Enqueue(timeProvider.GetUtcNow());
        }
        finally
        {
            _gate.Release();
        }

        return await base.GetResponseAsync(messages, options, cancellationToken);
    }
}
