using Muster.Storage;

namespace Muster.Server.Webhooks;

/// <summary>A rejected webhook field: <see cref="Field"/> is the request's field name (for example <c>taskWebhookUrl</c>).</summary>
public sealed record WebhookUrlProblem(string Field, string Message);

/// <summary>
/// Checks the webhook URLs of a kickoff (or resume) before anything is stored; any problem answers 422 naming the field.
/// Registered by <c>AddWebhooks()</c> only, with its SSRF checks: there is no default that accepts every URL, and the routes
/// that take webhook URLs refuse to map without it.
/// </summary>
public interface IWebhookUrlValidator
{
    ValueTask<IReadOnlyList<WebhookUrlProblem>> ValidateAsync(WebhookSettings webhooks, CancellationToken cancellationToken);

    /// <summary>Why Muster may not call <paramref name="url"/> (the same rules as webhook URLs), or null when it may.</summary>
    ValueTask<string?> CheckUrlAsync(string url, CancellationToken cancellationToken);
}
