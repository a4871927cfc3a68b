using System.ClientModel;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Muster.Core.Llm;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Muster.Llm;

/// <summary>
/// An <see cref="IChatClient"/> over the official OpenAI package's chat completions, for any OpenAI-compatible
/// server. Failures become <see cref="LlmProviderException"/> saying what the provider answered, never the key.
/// </summary>
internal sealed class OpenAiChatClient : IChatClient
{
    private readonly OpenAIClient _client;
    private readonly string _providerName;
    private readonly string? _secret;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, ChatClient> _chatClients = new(StringComparer.Ordinal);

    /// <param name="providerName">The provider's name, used in error messages.</param>
    /// <param name="baseUrl">The API root, e.g. <c>https://api.openai.com/v1</c>.</param>
    /// <param name="apiKey">The key sent as a bearer token; scrubbed from every error message.</param>
    /// <param name="timeProvider">The clock that turns an HTTP-date <c>Retry-After</c> into a wait; the system clock when null.</param>
    public OpenAiChatClient(string providerName, Uri baseUrl, string apiKey, TimeProvider? timeProvider = null)
    {
        _providerName = providerName;
        _secret = apiKey.Length >= 4 ? apiKey : null;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _client = new OpenAIClient(new ApiKeyCredential(apiKey), ClientOptions(baseUrl));
    }

    /// <summary>The OpenAI package's settings: its pipeline sends and classifies, nothing more.</summary>
    internal static OpenAIClientOptions ClientOptions(Uri baseUrl)
    {
        // Retries, timeouts and the calls' events belong to the decorators around this client, which know Retry-After and
        // the run's token: the package's own retry and message-logging steps only hand the message on.
        var options = new OpenAIClientOptions
        {
            Endpoint = baseUrl,
            RetryPolicy = PassThroughPolicy.Instance,
            MessageLoggingPolicy = PassThroughPolicy.Instance,
            NetworkTimeout = TimeSpan.FromHours(1),
        };
        options.AddPolicy(new ExactSizeRequestContentPolicy(), System.ClientModel.Primitives.PipelinePosition.BeforeTransport);
        return options;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? throw new ArgumentException("ChatOptions.ModelId must name the model.", nameof(options));
        var chat = _chatClients.GetOrAdd(model, _client.GetChatClient);
        ChatCompletion completion;
        try
        {
            completion = (await chat.CompleteChatAsync(OpenAiMapping.ToOpenAi(messages), OpenAiMapping.ToOpenAi(options), cancellationToken)).Value;
        }
        catch (ClientResultException ex)
        {
            throw Describe(ex);
        }
        catch (HttpRequestException ex)
        {
            throw new LlmProviderException(Scrub($"LLM provider '{_providerName}' could not be reached: {ex.Message}"), isTransient: true, inner: ex);
        }

        return OpenAiMapping.ToResponse(completion);
    }

    /// <summary>The whole answer of <see cref="GetResponseAsync"/> as updates: the provider is not asked to stream.</summary>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        // The OpenAI client holds no unmanaged resources of its own; its transport is shared.
    }

    private LlmProviderException Describe(ClientResultException ex)
    {
        var response = ex.GetRawResponse();
        if (response is null || ex.Status == 0)
        {
            return new LlmProviderException(Scrub($"LLM provider '{_providerName}' could not be reached: {ex.Message}"), isTransient: true, inner: ex);
        }

        var detail = ErrorDetail(response.Content?.ToString()) ?? response.ReasonPhrase;
        var status = ex.Status;
        var transient = status is 408 or 409 or 429 or >= 500;
        var message = Scrub($"LLM provider '{_providerName}' answered HTTP {status}: {detail}");
        return new LlmProviderException(message, status, RetryAfter(response), transient, ex);
    }

    private TimeSpan? RetryAfter(System.ClientModel.Primitives.PipelineResponse response)
    {
        response.Headers.TryGetValue("retry-after-ms", out var milliseconds);
        response.Headers.TryGetValue("Retry-After", out var value);
        return ParseRetryAfter(milliseconds, value, _timeProvider.GetUtcNow());
    }

    /// <summary>The wait a provider asks for: <c>retry-after-ms</c> (OpenAI's), else Retry-After in seconds or as an HTTP date.</summary>
    internal static TimeSpan? ParseRetryAfter(string? retryAfterMs, string? retryAfter, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMs, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (string.IsNullOrWhiteSpace(retryAfter))
        {
            return null;
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date - now
            : null;
    }

    private static string? ErrorDetail(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                return error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) ? message.ToString() : error.ToString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the provider's text is the best description there is.
        }

        return body.Length > 500 ? body[..500] + "..." : body;
    }

    private string Scrub(string message) => _secret is null ? message : message.Replace(_secret, "***", StringComparison.Ordinal);
}
