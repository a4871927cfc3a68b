using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Muster.Contracts.Amp;
using Muster.Core.Net;
using Muster.Storage;

namespace Muster.Server.Webhooks;

/// <summary>
/// Refuses webhook URLs that are not http(s) or whose host resolves to a non-public address, at kickoff and resume,
/// so the caller learns at once. The dispatcher checks again on the address it connects to (DNS may change).
/// </summary>
internal sealed class WebhookUrlValidator(IOptions<WebhookOptions> options, IHostResolver resolver) : IWebhookUrlValidator
{
    public async ValueTask<IReadOnlyList<WebhookUrlProblem>> ValidateAsync(WebhookSettings webhooks, CancellationToken cancellationToken)
    {
        var problems = new List<WebhookUrlProblem>();
        await CheckAsync("taskWebhookUrl", webhooks.TaskWebhookUrl, problems, cancellationToken);
        await CheckAsync("stepWebhookUrl", webhooks.StepWebhookUrl, problems, cancellationToken);
        await CheckAsync("crewWebhookUrl", webhooks.CrewWebhookUrl, problems, cancellationToken);
        if (webhooks.Stream is { } stream)
        {
            await CheckAsync("webhooks.url", stream.Url, problems, cancellationToken);
            CheckAuthentication("webhooks.authentication", stream.Authentication, problems);
        }

        if (webhooks.HumanInput is { } humanInput)
        {
            await CheckAsync("humanInputWebhook.url", humanInput.Url, problems, cancellationToken);
            CheckAuthentication("humanInputWebhook.authentication", humanInput.Authentication, problems);
        }

        return problems;
    }

    private async Task CheckAsync(string field, string? url, List<WebhookUrlProblem> problems, CancellationToken cancellationToken)
    {
        if (url is not null && await CheckUrlAsync(url, cancellationToken) is { } problem)
        {
            problems.Add(new(field, problem));
        }
    }

    public async ValueTask<string?> CheckUrlAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "must be an absolute http or https URL";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry credentials in the URL; use authentication instead";
        }

        return options.Value.AllowPrivateNetworks ? null : await RefusalAsync(uri, cancellationToken);
    }

    private async Task<string?> RefusalAsync(Uri uri, CancellationToken cancellationToken)
    {
        var host = uri.IdnHost;
        if (IPAddress.TryParse(host, out var literal))
        {
            return NetworkAddressPolicy.Classify(literal) is { } why ? $"points to a non-public address: {why}; Muster may not call it" : null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return $"host '{host}' does not resolve";
        }

        if (addresses.Length == 0)
        {
            return $"host '{host}' does not resolve";
        }

        foreach (var address in addresses)
        {
            if (NetworkAddressPolicy.Classify(address) is { } why)
            {
                return $"host '{host}' resolves to a non-public address: {why}; Muster may not call it";
            }
        }

        return null;
    }

    private static void CheckAuthentication(string field, WebhookAuthentication? authentication, List<WebhookUrlProblem> problems)
    {
        switch (authentication?.Strategy?.ToLowerInvariant())
        {
            case null when authentication is null:
                return;
            case "bearer" when !string.IsNullOrEmpty(authentication.Token):
                return;
            case "basic" when !string.IsNullOrEmpty(authentication.Username) && authentication.Password is not null:
                return;
            case "bearer":
                problems.Add(new(field, "bearer authentication needs a token"));
                return;
            case "basic":
                problems.Add(new(field, "basic authentication needs a username and a password"));
                return;
            default:
                problems.Add(new(field, "strategy must be 'bearer' or 'basic'"));
                return;
        }
    }
}
