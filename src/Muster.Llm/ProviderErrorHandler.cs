using Muster.Core.Llm;

namespace Muster.Llm;

/// <summary>
/// The innermost step of a provider's HttpClient: an error answer becomes an <see cref="LlmProviderException"/> here, where
/// its status and <c>retry-after</c> header are still at hand (the Anthropic SDK's exceptions keep the status and body but
/// not the headers), and a connection that fails becomes a transient one.
/// </summary>
internal sealed class ProviderErrorHandler(ProviderErrors errors) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw errors.Unreachable(ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw errors.Answered((int)response.StatusCode, body, response.ReasonPhrase, Header(response, "retry-after-ms"), Header(response, "retry-after"), inner: null);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
