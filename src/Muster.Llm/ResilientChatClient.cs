using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Muster.Core.Llm;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Muster.Llm;

/// <summary>
/// Retry ◄ timeout around a provider's client, as one Polly pipeline: each attempt may take the provider's timeout; transient
/// failures (408, 409, 429, 529, 5xx, timeouts, dropped connections) are tried again up to its <c>MaxRetries</c>, after the
/// provider's Retry-After when it gave one, else an exponential backoff with jitter. Other failures pass through at once.
/// </summary>
/// <remarks>
/// The retry sits on the chat call, not on the HttpClient (Microsoft.Extensions.Http.Resilience): that way one step serves
/// every provider's client, whatever its transport (the OpenAI package's pipeline, the Anthropic SDK's HttpClient), and
/// classifies by <see cref="LlmProviderException"/>, which each provider's client makes from its own errors.
/// </remarks>
internal sealed partial class ResilientChatClient : DelegatingChatClient
{
    private static readonly ResiliencePropertyKey<string?> ModelKey = new("muster.model");
    private readonly ResiliencePipeline _pipeline;
    private readonly int _attempts;
    private readonly TimeSpan _timeout;

    public ResilientChatClient(IChatClient inner, int maxRetries, TimeSpan timeout, LlmOptions options, TimeProvider timeProvider, ILogger logger)
        : base(inner)
    {
        _attempts = Math.Max(0, maxRetries) + 1;
        _timeout = timeout;
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (maxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                // Jitter spreads the retries of many runs hitting the same limit at once.
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = new PredicateBuilder().Handle<LlmProviderException>(ex => ex.IsTransient).Handle<TimeoutRejectedException>(),
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Exception is LlmProviderException { RetryAfter: { } asked }
                    ? asked < TimeSpan.Zero ? TimeSpan.Zero : asked > options.MaxRetryAfter ? options.MaxRetryAfter : asked
                    : null),
                OnRetry = args =>
                {
                    LogRetry(logger, args.Context.Properties.GetValue(ModelKey, null), args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, (args.Outcome.Exception as LlmProviderException)?.StatusCode);
                    return default;
                },
            });
        }

        if (timeout > TimeSpan.Zero && timeout <= TimeSpan.FromDays(1))
        {
            builder.AddTimeout(timeout);
        }

        _pipeline = builder.Build();
    }

    /// <summary>
    /// Calls the inner client through the pipeline; when the retries run out, throws an <see cref="LlmProviderException"/> that
    /// says how many attempts were made.
    /// </summary>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var history = messages as IList<ChatMessage> ?? messages.ToList();
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ModelKey, options?.ModelId);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (context, state) => new ValueTask<ChatResponse>(state.Inner.GetResponseAsync(state.History, state.Options, context.CancellationToken)),
                context,
                (Inner: InnerClient, History: history, Options: options));
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LlmProviderException($"The LLM provider did not answer within {_timeout.TotalSeconds:0.###} s{GaveUp()}.", isTransient: false, inner: ex);
        }
        catch (LlmProviderException ex) when (ex.IsTransient && !cancellationToken.IsCancellationRequested)
        {
            throw new LlmProviderException($"{ex.Message}{GaveUp()}", ex.StatusCode, ex.RetryAfter, isTransient: false, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Not supported: Muster's engine does not stream.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Muster's engine does not stream.");

    // The wording of the hand-written loop this replaced: run records keep it.
    private string GaveUp() => $" (gave up after {_attempts} attempts)";

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM call to {Model} failed (status {Status}); retry {Attempt} in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string? model, int attempt, double delayMs, int? status);
}

/// <summary>The provider pipeline's own steps as <see cref="ChatClientBuilder"/> steps.</summary>
internal static class ResilienceChatClientBuilderExtensions
{
    /// <summary>Adds <see cref="ResilientChatClient"/>: each call to what follows may take <paramref name="timeout"/>, and transient failures are tried again up to <paramref name="maxRetries"/> times.</summary>
    public static ChatClientBuilder UseResilience(this ChatClientBuilder builder, int maxRetries, TimeSpan timeout, LlmOptions options, TimeProvider timeProvider, ILogger logger) =>
        builder.Use(inner => new ResilientChatClient(inner, maxRetries, timeout, options, timeProvider, logger));
}
