using System.Runtime.CompilerServices;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
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
/// <item>output_json goes through the prompt, never the API: the engine's prompt always carries the schema and the answer is
/// validated (and asked again) either way, while the Messages API's structured outputs are refused by the older Claude
/// models. So <see cref="ChatOptions.ResponseFormat"/> is not sent.</item>
/// <item>Usage: Anthropic counts cache reads and cache writes apart from <c>input_tokens</c>; Muster's prompt tokens are all
/// three, its cached prompt tokens the reads. The writes have no field in the AMP usage and stay in
/// <see cref="UsageDetails.AdditionalCounts"/> (<see cref="CacheWriteTokens"/>).</item>
/// </list>
/// </remarks>
internal sealed class AnthropicChatClient : IChatClient
{
    /// <summary>The key of the cache-write count in <see cref="UsageDetails.AdditionalCounts"/>.</summary>
    public const string CacheWriteTokens = "cache_creation_input_tokens";

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

        ChatResponse response;
        try
        {
            response = await _adapter.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex) when (Classified(ex) is { } classified)
        {
            throw classified;
        }
        catch (AnthropicApiException ex)
        {
            throw _errors.Answered((int)ex.StatusCode, ex.ResponseBody, ex.ApiMessage, null, null, ex);
        }
        catch (AnthropicIOException ex)
        {
            throw _errors.Unreachable(ex);
        }

        response.Usage = MusterUsage(response.Usage);
        return response;
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

    /// <summary>Input tokens as Muster counts them (with cache reads and writes); the reads as cached input.</summary>
    internal static UsageDetails? MusterUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var writes = usage.AdditionalCounts?.TryGetValue(CacheWriteTokens, out var written) == true ? written : 0;
        var reads = usage.CachedInputTokenCount ?? 0;
        usage.InputTokenCount = (usage.InputTokenCount ?? 0) + reads + writes;
        usage.TotalTokenCount = usage.InputTokenCount + (usage.OutputTokenCount ?? 0);
        return usage;
    }

    /// <summary>The <see cref="ProviderErrorHandler"/>'s verdict, however deep the SDK wrapped it.</summary>
    private static LlmProviderException? Classified(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is LlmProviderException classified)
            {
                return classified;
            }
        }

        return null;
    }
}
