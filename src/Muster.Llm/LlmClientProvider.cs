using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Muster.Core.Engine;
using Muster.Core.Llm;

namespace Muster.Llm;

/// <summary>
/// Builds one <see cref="ChatClientBuilder"/> pipeline per provider from <see cref="LlmOptions"/>: telemetry ◄ retry ◄ timeout ◄
/// the provider's client. <c>anthropic</c> speaks the Messages API (falling back to ANTHROPIC_API_KEY); every other provider is
/// OpenAI-compatible, <c>openai</c> falling back to OPENAI_API_KEY / OPENAI_BASE_URL and <c>ollama</c> to its local default.
/// </summary>
internal sealed class LlmClientProvider(
    IOptions<LlmOptions> options, IOptions<CrewEngineOptions> engineOptions, TimeProvider timeProvider, ILoggerFactory loggerFactory) : ILlmClientProvider
{
    private const string OpenAiDefaultUrl = "https://api.openai.com/v1";
    private const string OllamaDefaultUrl = "http://127.0.0.1:11434/v1";
    private const string AnthropicDefaultUrl = "https://api.anthropic.com";
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public IChatClient GetClient(string provider)
    {
        if (_clients.TryGetValue(provider, out var existing))
        {
            return existing;
        }

        var created = Create(provider);
        return _clients.GetOrAdd(provider, created);
    }

    private IChatClient Create(string provider)
    {
        var settings = options.Value;
        settings.Providers.TryGetValue(provider, out var configured);
        IChatClient providerClient = provider.Equals("anthropic", StringComparison.OrdinalIgnoreCase) && configured?.OpenAiCompatible != true
            ? Anthropic(provider, configured)
            : OpenAiCompatible(provider, configured);
        return Pipeline(providerClient, configured ?? new LlmProviderOptions(), settings);
    }

    private OpenAiChatClient OpenAiCompatible(string provider, LlmProviderOptions? configured)
    {
        var isOpenAi = provider.Equals("openai", StringComparison.OrdinalIgnoreCase);
        var isOllama = provider.Equals("ollama", StringComparison.OrdinalIgnoreCase);
        if (configured is null && !isOpenAi && !isOllama)
        {
            throw new LlmConfigurationException(
                $"Unknown LLM provider '{provider}': configure Muster:Llm:Providers:{provider}:BaseUrl (and ApiKey if it needs one).");
        }

        var baseUrl = configured?.BaseUrl
            ?? (isOpenAi ? Environment.GetEnvironmentVariable("OPENAI_BASE_URL") : null)
            ?? (isOllama ? OllamaDefaultUrl : null)
            ?? (isOpenAi ? OpenAiDefaultUrl : null);
        var uri = ValidUrl(provider, baseUrl);
        var apiKey = configured?.ApiKey ?? (isOpenAi ? Environment.GetEnvironmentVariable("OPENAI_API_KEY") : null);
        if (string.IsNullOrEmpty(apiKey))
        {
            // Local servers (Ollama, vLLM, llama.cpp) take no key, but the OpenAI package insists on one.
            apiKey = isOpenAi && baseUrl == OpenAiDefaultUrl
                ? throw new LlmConfigurationException("No API key for LLM provider 'openai': set OPENAI_API_KEY or Muster:Llm:Providers:openai:ApiKey.")
                : "no-key";
        }

        return new OpenAiChatClient(provider, uri, apiKey, timeProvider);
    }

    private AnthropicChatClient Anthropic(string provider, LlmProviderOptions? configured)
    {
        var uri = ValidUrl(provider, configured?.BaseUrl ?? Environment.GetEnvironmentVariable("ANTHROPIC_BASE_URL") ?? AnthropicDefaultUrl);
        var apiKey = configured?.ApiKey ?? Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY");
        if (string.IsNullOrEmpty(apiKey))
        {
            throw new LlmConfigurationException("No API key for LLM provider 'anthropic': set ANTHROPIC_API_KEY or Muster:Llm:Providers:anthropic:ApiKey.");
        }

        return new AnthropicChatClient(provider, uri, apiKey, timeProvider);
    }

    private static Uri ValidUrl(string provider, string? baseUrl) =>
        Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new LlmConfigurationException($"LLM provider '{provider}' has no valid BaseUrl (Muster:Llm:Providers:{provider}:BaseUrl).");

    /// <summary>
    /// What every call to every provider (OpenAI-compatible and Anthropic alike) passes through, outermost first: telemetry ◄
    /// retry ◄ timeout ◄ the provider's own client. Telemetry is outermost so that one call is one <c>chat</c> span, however
    /// often it is retried (each attempt's HTTP request is a span under it); it records prompts and answers only with
    /// <c>Muster:Telemetry:CaptureContent</c>. An agent's <c>max_rpm</c> limit and the run's events and usage wrap this
    /// pipeline per run (TaskPipeline.ClientFor).
    /// </summary>
    private IChatClient Pipeline(IChatClient providerClient, LlmProviderOptions provider, LlmOptions settings) =>
        new ChatClientBuilder(providerClient)
            .UseOpenTelemetry(loggerFactory, LlmTelemetry.SourceName, telemetry => telemetry.EnableSensitiveData = engineOptions.Value.CaptureContent)
            .UseResilience(provider.MaxRetries, TimeSpan.FromSeconds(provider.TimeoutSeconds), settings, timeProvider, loggerFactory.CreateLogger<ResilientChatClient>())
            .Build();
}
