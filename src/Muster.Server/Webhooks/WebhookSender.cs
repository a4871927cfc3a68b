using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Core.Net;
using Muster.Server.Protocols.A2a;
using Muster.Storage;

namespace Muster.Server.Webhooks;

/// <summary>The outcome of one HTTP attempt.</summary>
internal sealed record SendResult(int? StatusCode, string? Error, TimeSpan? RetryAfter, bool Refused)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
}

/// <summary>Sends one claimed batch as one signed POST.</summary>
internal sealed class WebhookSender(
    IHttpClientFactory httpClientFactory, WebhookSigner signer, IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    public const string HttpClientName = "Muster.Webhooks";

    public async Task<SendResult> SendAsync(IReadOnlyList<DeliveryRecord> batch, CancellationToken cancellationToken)
    {
        var first = batch[0];
        var body = WebhookKinds.IsStream(first.Kind)
            ? $"{{\"events\":[{string.Join(',', batch.Select(d => d.Payload))}]}}"
            : first.Payload;
        var now = timeProvider.GetUtcNow();

        using var request = new HttpRequestMessage(HttpMethod.Post, first.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSigner.EventIdHeader, first.Id.ToString());
        request.Headers.Add(WebhookSigner.TimestampHeader, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSigner.SignatureHeader, signer.Sign(now.ToUnixTimeSeconds(), body));
        if (first.Kind == WebhookKinds.A2aPush)
        {
            A2aPushNotifications.Apply(request, first.Authentication);
        }
        else
        {
            request.Headers.Authorization = Authorization(first.Authentication);
        }

        using var timeout = new CancellationTokenSource(options.Value.AttemptTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var client = httpClientFactory.CreateClient(HttpClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            var error = status is >= 200 and < 300 ? null : $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            return new(status, error, RetrySchedule.RetryAfter(response.Headers.RetryAfter, timeProvider.GetUtcNow()), Refused: false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new(null, $"timed out after {options.Value.AttemptTimeout.TotalSeconds:0.###} s", null, Refused: false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is DestinationRefusedException refused)
        {
            return new(null, refused.Message, null, Refused: true);
        }
        catch (HttpRequestException ex)
        {
            return new(null, ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message, null, Refused: false);
        }
    }

    private static AuthenticationHeaderValue? Authorization(string? serialized)
    {
        var auth = serialized is null ? null : JsonSerializer.Deserialize(serialized, MusterJsonContext.Default.WebhookAuthentication);
        return auth?.Strategy?.ToLowerInvariant() switch
        {
            "bearer" when auth.Token is not null => new AuthenticationHeaderValue("Bearer", auth.Token),
            "basic" when auth.Username is not null => new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{auth.Password}"))),
            _ => null,
        };
    }
}
