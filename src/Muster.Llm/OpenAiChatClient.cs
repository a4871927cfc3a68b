using System.ClientModel;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Muster.Core.Llm;
using OpenAI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Muster.Llm;

/// <summary>
/// An OpenAI-compatible server as an <see cref="IChatClient"/>: the library adapter (<c>AsIChatClient()</c> of
/// Microsoft.Extensions.AI.OpenAI) does all of the mapping, messages, tools, parallel tool calls, <c>response_format</c>
/// and usage with cached tokens. What stays here is what the adapter does not do.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The model of each call: the adapter is bound to the model of its <c>ChatClient</c> and ignores
/// <see cref="ChatOptions.ModelId"/>, while one provider serves every model its crews name; one adapter per model.</item>
/// <item>Error classification: the adapter throws the package's <see cref="ClientResultException"/>; the retry step needs the
/// status, the provider's Retry-After and a message without the key (<see cref="ProviderErrors"/>).</item>
/// <item>The package's own retry and logging steps are pass-throughs (<see cref="ClientOptions"/>).</item>
/// </list>
/// </remarks>
internal sealed class OpenAiChatClient : IChatClient
{
    private readonly OpenAIClient _client;
    private readonly ProviderErrors _errors;
    private readonly ConcurrentDictionary<string, IChatClient> _models = new(StringComparer.Ordinal);
    private readonly Func<string, IChatClient> _adapterFor;

    /// <param name="providerName">The provider's name, used in error messages.</param>
    /// <param name="baseUrl">The API root, e.g. <c>https://api.openai.com/v1</c>.</param>
    /// <param name="apiKey">The key sent as a bearer token; scrubbed from every error message.</param>
    /// <param name="timeProvider">The clock that turns an HTTP-date <c>Retry-After</c> into a wait; the system clock when null.</param>
    public OpenAiChatClient(string providerName, Uri baseUrl, string apiKey, TimeProvider? timeProvider = null)
    {
        _errors = new ProviderErrors(providerName, apiKey, timeProvider ?? TimeProvider.System);
        _client = new OpenAIClient(new ApiKeyCredential(apiKey), ClientOptions(baseUrl));
        _adapterFor = model => _client.GetChatClient(model).AsIChatClient();
    }

    /// <summary>The OpenAI package's settings: its pipeline sends and classifies, nothing more.</summary>
    internal static OpenAIClientOptions ClientOptions(Uri baseUrl)
    {
        // Retries, timeouts and the calls' events belong to the steps of Muster's chat pipeline, which know Retry-After
        // and the run's token: the package's own retry and message-logging steps only hand the message on.
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
        var adapter = _models.GetOrAdd(model, _adapterFor);
        try
        {
            return await adapter.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (ClientResultException ex)
        {
            throw Describe(ex);
        }
        catch (HttpRequestException ex)
        {
            throw _errors.Unreachable(ex);
        }
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
        // The adapters and the OpenAI client hold no unmanaged resources of their own; their transport is shared.
    }

    private LlmProviderException Describe(ClientResultException ex)
    {
        var response = ex.GetRawResponse();
        if (response is null || ex.Status == 0)
        {
            return _errors.Unreachable(ex);
        }

        response.Headers.TryGetValue("retry-after-ms", out var milliseconds);
        response.Headers.TryGetValue("Retry-After", out var retryAfter);
        return _errors.Answered(ex.Status, response.Content?.ToString(), response.ReasonPhrase, milliseconds, retryAfter, ex);
    }
}
