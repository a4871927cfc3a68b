using System.Runtime.CompilerServices;
using Anthropic;
using Anthropic.Core;
using Microsoft.Extensions.AI;
using Muster.Core.Llm;

namespace Muster.Llm;

/// <summary>
/// Anthropic's Messages API as an <see cref="IChatClient"/>: the official <c>Anthropic</c> package's adapter
/// (<c>AsIChatClient</c>) maps messages, tools, parallel tool calls and usage. What stays here is what it does not do.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Errors: the SDK's own retries are off (the pipeline's retry step honours <c>retry-after</c> for every provider), and an
/// error answer is classified in <see cref="ProviderErrorHandler"/>, the only place that still sees the header.</item>
/// <item>output_json goes through the prompt, not the API: <see cref="ChatOptions.ResponseFormat"/> is not passed on, where the
/// adapter would send it as the Messages API's structured output (<c>output_config</c>), which older Claude models refuse.
/// The engine's prompt always carries the schema, and the answer is validated (and asked for again) either way.</item>
/// </list>
/// Usage is the adapter's as it stands: input tokens include cache reads and writes, the reads are the cached input tokens,
/// and the writes, which have no field in the AMP usage, stay in <see cref="UsageDetails.AdditionalCounts"/>
/// (<c>CacheCreationInputTokens</c>).
/// </remarks>
internal sealed class AnthropicChatClient : IChatClient
{
    /// <summary>The Messages API requires <c>max_tokens</c>; a call that names none gets this.</summary>
    private const int DefaultMaxOutputTokens = 4096;

    private readonly ProviderErrors _errors;
    private readonly AnthropicClient _client;
    private readonly IChatClient _adapter;

    /// <param name="providerName">The provider's name, used in error messages.</param>
    /// <param name="baseUrl">The API root without <c>/v1</c>, e.g. <c>https://api.anthropic.com</c>.</param>
    /// <param name="apiKey">The key; scrubbed from every error message.</param>
    /// <param name="timeProvider">The clock that turns an HTTP-date <c>retry-after</c> into a wait.</param>
    public AnthropicChatClient(string providerName, Uri baseUrl, string apiKey, TimeProvider timeProvider)
    {
        _errors = new ProviderErrors(providerName, apiKey, timeProvider);
        _client = new AnthropicClient(new ClientOptions
        {
            ApiKey = apiKey,
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
            // The pipeline's timeout step bounds each attempt; these only keep the SDK's and HttpClient's own out of its way.
            HttpClient = new HttpClient(new ProviderErrorHandler(_errors)) { Timeout = Timeout.InfiniteTimeSpan },
            Timeout = TimeSpan.FromHours(1),
            MaxRetries = 0,
        });
        _adapter = _client.AsIChatClient(defaultModelId: null, defaultMaxOutputTokens: DefaultMaxOutputTokens);
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (options?.ModelId is null)
        {
            throw new ArgumentException("ChatOptions.ModelId must name the model.", nameof(options));
        }

        if (options.ResponseFormat is not null)
        {
            options = options.Clone();
            options.ResponseFormat = null;
        }

        return await _adapter.GetResponseAsync(messages, options, cancellationToken);
    }

    /// <summary>The whole answer of <see cref="GetResponseAsync"/> as updates: the provider is not asked to stream.</summary>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : _adapter.GetService(serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        _adapter.Dispose();
        _client.Dispose();
    }
}
