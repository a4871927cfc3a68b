namespace Muster.Core.Llm;

/// <summary>LLM settings, bound from the <c>Muster:Llm</c> configuration section.</summary>
public sealed class LlmOptions
{
    /// <summary>The model an agent uses when neither it nor its crew names one.</summary>
    public string DefaultModel { get; set; } = "openai/gpt-4o-mini";

    /// <summary>Providers by name (the part of a model name before the first slash).</summary>
    public Dictionary<string, LlmProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>First retry delay; each further retry doubles it (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff between retries (jitter only shortens it); a provider's Retry-After is capped by <see cref="MaxRetryAfter"/> instead.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest Retry-After a provider may ask for; longer waits are cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(120);
}

/// <summary>One provider: an OpenAI-compatible endpoint, or (the provider named <c>anthropic</c>) Anthropic's Messages API.</summary>
public sealed class LlmProviderOptions
{
    /// <summary>The API root, e.g. <c>https://api.openai.com/v1</c> or <c>http://127.0.0.1:11434/v1</c>; for <c>anthropic</c> without <c>/v1</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// Sent with every call and scrubbed from error messages. <c>openai</c> falls back to <c>OPENAI_API_KEY</c> and needs a
    /// key at OpenAI's own URL; <c>anthropic</c> falls back to <c>ANTHROPIC_API_KEY</c> and always needs one; other servers may
    /// need none.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one call may take before it is abandoned (and retried).</summary>
    public double TimeoutSeconds { get; set; } = 120;

    /// <summary>Retries after a 429, a 5xx, a timeout or a dropped connection.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>
    /// Whether the provider takes OpenAI's <c>response_format: {type: json_schema}</c>; when false, a task's <c>output_json</c>
    /// is asked for through instructions in the prompt only (always so for <c>anthropic</c>). Either way the answer is validated
    /// against the schema.
    /// </summary>
    public bool JsonSchemaResponseFormat { get; set; } = true;

    /// <summary>
    /// For the provider named <c>anthropic</c>: speak OpenAI's chat completions at <see cref="BaseUrl"/> instead of the
    /// Messages API, for an OpenAI-compatible gateway in front of Claude (and <c>--simulated-llm</c>, whose simulator speaks
    /// only that), so crews keep their <c>anthropic/…</c> model names. Every other provider speaks it anyway.
    /// </summary>
    public bool OpenAiCompatible { get; set; }
}

/// <summary>A model name as CrewAI users write it: <c>provider/model</c>; a bare name means <c>openai</c>.</summary>
public readonly record struct ModelReference(string Provider, string Model)
{
    /// <summary>Splits <paramref name="name"/> at its first slash, lower-casing the provider; a name without one means <c>openai</c>.</summary>
    /// <param name="name">A model name such as <c>ollama/llama3.1</c> or <c>gpt-4o-mini</c>.</param>
    public static ModelReference Parse(string name)
    {
        var trimmed = name.Trim();
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 ? new ModelReference("openai", trimmed) : new ModelReference(trimmed[..slash].ToLowerInvariant(), trimmed[(slash + 1)..]);
    }

    /// <summary><c>provider/model</c>.</summary>
    public override string ToString() => $"{Provider}/{Model}";
}

/// <summary>An LLM provider answered with an error, or could not be reached, in a way the run cannot hide.</summary>
public sealed class LlmProviderException(string message, int? statusCode = null, TimeSpan? retryAfter = null, bool isTransient = false, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The provider's HTTP status; null when it could not be reached or did not answer in time.</summary>
    public int? StatusCode { get; } = statusCode;
    /// <summary>How long the provider asked to wait (<c>retry-after-ms</c> or <c>Retry-After</c>); null when it did not say.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
    /// <summary>True for 408, 409, 429, 5xx, timeouts and connection failures: worth another try.</summary>
    public bool IsTransient { get; } = isTransient;
}

/// <summary>A model names a provider that is not configured, or the provider lacks what it needs.</summary>
public sealed class LlmConfigurationException(string message) : Exception(message);
