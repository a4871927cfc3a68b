using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Testing;

namespace Muster.Server.Tests.Webhooks;

/// <summary>
/// Starts Muster servers with fast webhook settings on a folder (crews and database) that outlives them, so a test can
/// stop one server and start the next on the same database.
/// </summary>
internal sealed class WebhookTestServer : IDisposable
{
    public const string Secret = "whsec_webhook_tests_0123456789abcdef";

    private readonly TempFolder _folder = new();

    public WebhookTestServer(Action<string>? writeCrews = null)
    {
        Directory.CreateDirectory(_folder.Combine("crews"));
        (writeCrews ?? (path => TestCrews.WriteTwoTaskCrew(path)))(_folder.Combine("crews"));
    }

    public Task<MusterServerFixture> StartAsync(
        bool allowPrivateNetworks = true, IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Muster:CrewsPath"] = _folder.Combine("crews"),
            ["Muster:Storage:ConnectionString"] = $"Data Source={_folder.Combine("webhooks.db")}",
            ["Muster:Webhooks:SigningSecret"] = Secret,
            ["Muster:Webhooks:AllowPrivateNetworks"] = allowPrivateNetworks ? "true" : "false",
            ["Muster:Webhooks:PollInterval"] = "00:00:00.050",
            ["Muster:Webhooks:BaseRetryDelay"] = "00:00:00.050",
            ["Muster:Webhooks:MaxRetryDelay"] = "00:00:00.200",
            ["Muster:Webhooks:AttemptTimeout"] = "00:00:02",
            ["Muster:Webhooks:ClaimLease"] = "00:00:03",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return MusterServerFixture.StartAsync(new MusterServerSetup { WriteCrews = _ => { }, Settings = settings, Services = services ?? (_ => { }) });
    }

    public void Dispose() => _folder.Dispose();
}

internal static class WebhookCalls
{
    public static async Task<JsonArray> GetDeliveriesAsync(this HttpClient client, Guid runId)
    {
        using var response = await client.GetAsync($"/api/crew-runs/{runId}/deliveries");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsArray();
    }

    /// <summary>Waits until every delivery of the run is no longer pending.</summary>
    public static Task<JsonArray> WaitForDeliveriesSettledAsync(this HttpClient client, Guid runId, int atLeast = 1) =>
        Eventually.Until(
            () => client.GetDeliveriesAsync(runId),
            deliveries => deliveries.Count >= atLeast && deliveries.All(d => d!["state"]!.GetValue<string>() != "pending"),
            $"the deliveries of run {runId} never settled",
            Eventually.ProcessLimit);

    public static Task<HttpResponseMessage> ResumeAsync(this HttpClient client, JsonObject body, string prefix = "") =>
        client.PostAsJsonAsync(prefix + "/resume", body);

    public static JsonObject Json(this ReceivedWebhook webhook) => JsonNode.Parse(webhook.Body)!.AsObject();

    public static void ShouldBeSignedWith(this ReceivedWebhook webhook, string secret)
    {
        var signature = webhook.Header("Muster-Signature").ShouldNotBeNull();
        var timestamp = webhook.Header("Muster-Timestamp").ShouldNotBeNull();
        signature.ShouldStartWith($"t={timestamp},v1=");
        webhook.Header("Muster-Event-Id").ShouldNotBeNullOrEmpty();
        // The receiver's check as docs/WEBHOOKS.md describes it, written independently of the server's signer.
        var mac = System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes($"{timestamp}.{webhook.Body}"));
        signature.ShouldBe($"t={timestamp},v1={Convert.ToHexStringLower(mac)}");
        (DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture)))
            .Duration().ShouldBeLessThan(TimeSpan.FromMinutes(5));
    }
}
