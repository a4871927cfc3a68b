using System.Globalization;
using System.Text.Json;
using Muster.Core.Llm;

namespace Muster.Llm;

/// <summary>
/// Turns a provider's failed answer into an <see cref="LlmProviderException"/> that the retry step can classify: status,
/// the wait the provider asked for and whether another try could help. Neither library adapter does this: the OpenAI one
/// throws the package's <c>ClientResultException</c> and the Anthropic one the SDK's exceptions, which carry no
/// <c>Retry-After</c>, and both would print whatever the provider echoed (a key included).
/// </summary>
internal sealed class ProviderErrors(string providerName, string? apiKey, TimeProvider timeProvider)
{
    private readonly string? _secret = apiKey is { Length: >= 4 } ? apiKey : null;

    /// <summary>An HTTP error answer: 408, 409, 429, 529 and every 5xx are worth another try, the rest are not.</summary>
    public LlmProviderException Answered(int status, string? body, string? reasonPhrase, string? retryAfterMs, string? retryAfter, Exception? inner)
    {
        var detail = ErrorDetail(body) ?? reasonPhrase;
        var transient = status is 408 or 409 or 429 or >= 500;
        var message = Scrub($"LLM provider '{providerName}' answered HTTP {status}: {detail}");
        return new LlmProviderException(message, status, ParseRetryAfter(retryAfterMs, retryAfter, timeProvider.GetUtcNow()), transient, inner);
    }

    /// <summary>No answer at all: a refused or dropped connection, worth another try.</summary>
    public LlmProviderException Unreachable(Exception inner) =>
        new(Scrub($"LLM provider '{providerName}' could not be reached: {inner.Message}"), isTransient: true, inner: inner);

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

    /// <summary>The provider's own words: <c>error.message</c> of the JSON both OpenAI and Anthropic answer with, else the text.</summary>
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
