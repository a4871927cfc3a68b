using System.Text;
using Muster.Core.Net;

namespace Muster.Core.Tools;

/// <summary>
/// The <c>http_fetch</c> tool: GET only, bounded in time and size, and connecting only to public addresses through the
/// same <see cref="GuardedConnector"/> as webhooks and MCP, so DNS tricks and redirects cannot reach inside.
/// </summary>
internal sealed class HttpFetcher
{
    private readonly BuiltInToolOptions _options;
    private readonly HttpClient _client;

    public HttpFetcher(BuiltInToolOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = new GuardedConnector(
                DnsHostResolver.Instance, options.HttpFetchAllowPrivateNetworks, "http_fetch only reaches public internet addresses.").ConnectAsync,
            UseProxy = false,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<string> FetchAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an http or https URL.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HttpFetchTimeout);
        try
        {
            using var response = await _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = await ReadLimitedAsync(response, timeout.Token);
            return response.IsSuccessStatusCode ? body : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}\n{body}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {uri} took longer than {_options.HttpFetchTimeout.TotalSeconds:0.#} s.");
        }
    }

    private async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[_options.HttpFetchMaxBytes + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var truncated = read > _options.HttpFetchMaxBytes;
        var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(read, _options.HttpFetchMaxBytes));
        return truncated ? text + $"\n[truncated at {_options.HttpFetchMaxBytes} bytes]" : text;
    }
}
