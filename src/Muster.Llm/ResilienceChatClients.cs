using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Muster.Core.Llm;

namespace Muster.Llm;

/// <summary>Retries transient provider failures with exponential backoff and jitter, honouring Retry-After.</summary>
internal sealed partial class RetryingChatClient(IChatClient inner, int maxRetries, LlmOptions options, TimeProvider timeProvider, ILogger logger)
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
internal sealed class TimeoutChatClient(IChatClient inner, TimeSpan timeout, TimeProvider timeProvider) : DelegatingChatClient(inner)
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

/// <summary>The provider pipeline's decorators as <see cref="ChatClientBuilder"/> steps.</summary>
internal static class ResilienceChatClientBuilderExtensions
{
    /// <summary>Adds <see cref="RetryingChatClient"/>: transient failures of what follows are retried up to <paramref name="maxRetries"/> times.</summary>
    public static ChatClientBuilder UseRetry(this ChatClientBuilder builder, int maxRetries, LlmOptions options, TimeProvider timeProvider, ILogger logger) =>
        builder.Use(inner => new RetryingChatClient(inner, maxRetries, options, timeProvider, logger));

    /// <summary>Adds <see cref="TimeoutChatClient"/>: a call to what follows that takes longer than <paramref name="timeout"/> fails as transient.</summary>
    public static ChatClientBuilder UseTimeout(this ChatClientBuilder builder, TimeSpan timeout, TimeProvider timeProvider) =>
        builder.Use(inner => new TimeoutChatClient(inner, timeout, timeProvider));
}
