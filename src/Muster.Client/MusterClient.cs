using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Muster.Client;

/// <summary>
/// Typed client for Muster and any CrewAI AMP-compatible server: the AMP routes, run history, events and tokens.
/// Thread-safe; register it with <c>services.AddMusterClient(...)</c> or create it over your own <see cref="HttpClient"/>.
/// </summary>
public sealed partial class MusterClient
{
    private readonly HttpClient _http;
    private readonly MusterClientOptions _options;
    private readonly Uri _baseUrl;
    private readonly string _ampPrefix;

    /// <summary>Creates a client over <paramref name="httpClient"/>; its own BaseAddress is not used.</summary>
    public MusterClient(HttpClient httpClient, MusterClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseUrl is not { IsAbsoluteUri: true } baseUrl)
        {
            throw new ArgumentException("MusterClientOptions.BaseUrl must be an absolute URL such as http://127.0.0.1:8080/.", nameof(options));
        }

        _http = httpClient;
        _options = options;
        // A trailing slash keeps a base path (e.g. behind a proxy) when relative routes are resolved against it.
        _baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _ampPrefix = string.IsNullOrEmpty(options.Crew) ? string.Empty : $"crews/{Uri.EscapeDataString(options.Crew)}/";
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string relativePath)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseUrl, relativePath));
        if (!string.IsNullOrEmpty(_options.Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private static HttpRequestMessage WithBody<T>(HttpRequestMessage request, T body, JsonTypeInfo<T> typeInfo)
    {
        request.Content = JsonContent.Create(body, typeInfo);
        return request;
    }

    /// <summary>Sends and throws <see cref="MusterApiException"/> for any non-success answer.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var response = await _http.SendAsync(request, completion, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var raw = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new MusterApiException(response.StatusCode, raw);
        }
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> answer, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            return await response.Content.ReadFromJsonAsync(answer, cancellationToken)
                ?? throw new JsonException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode} with a null body.");
        }
    }

    private async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
