using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>The AMP calls tests make, over real HTTP.</summary>
internal static class AmpCalls
{
    public static async Task<Guid> KickoffAsync(this HttpClient client, JsonObject inputs, string prefix = "", string? idempotencyKey = null)
    {
        using var response = await client.PostKickoffAsync(new JsonObject { ["inputs"] = inputs }, prefix, idempotencyKey);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return Guid.Parse(JsonNode.Parse(body)!["kickoff_id"]!.GetValue<string>());
    }

    public static Task<HttpResponseMessage> PostKickoffAsync(this HttpClient client, JsonObject body, string prefix = "", string? idempotencyKey = null) =>
        client.PostRawAsync(prefix + "/kickoff", body.ToJsonString(), "application/json", idempotencyKey);

    public static async Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string path, string body, string? contentType, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public static async Task<(HttpStatusCode Status, JsonObject Body)> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text) as JsonObject ?? throw new ShouldAssertException($"Not a JSON object: {text}"));
    }

    public static async Task<(HttpStatusCode Status, JsonObject Body)> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text) as JsonObject ?? throw new ShouldAssertException($"Not a JSON object: {text}"));
    }

    /// <summary>
    /// Polls the status until <paramref name="until"/> holds; <paramref name="timeout"/> is only a ceiling against a hang
    /// (default: <see cref="Eventually.DefaultLimit"/>).
    /// </summary>
    public static Task<JsonObject> WaitForStatusAsync(this HttpClient client, Guid id, Func<JsonObject, bool> until, string prefix = "", TimeSpan? timeout = null) =>
        Eventually.Until(
            async () =>
            {
                var (status, body) = await client.GetJsonAsync($"{prefix}/status/{id}");
                status.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
                return body;
            },
            until,
            $"the status of run {id} never matched",
            timeout);

    public static bool Is(this JsonObject status, string value) => status["status"]?.GetValue<string>() == value;

    public static Task<JsonObject> WaitForFinishAsync(this HttpClient client, Guid id, string prefix = "", TimeSpan? timeout = null) =>
        client.WaitForStatusAsync(id, s => !s.Is("running"), prefix, timeout);

    /// <summary>Creates a token through the API with the organization token of <paramref name="org"/>.</summary>
    public static async Task<string> CreateTokenAsync(this HttpClient org, string kind, string? userId = null, params string[] crews)
    {
        var body = new JsonObject { ["kind"] = kind, ["user_id"] = userId, ["crews"] = crews.Length == 0 ? null : new JsonArray([.. crews.Select(c => (JsonNode?)c)]) };
        using var response = await org.PostAsJsonAsync("/api/tokens", body);
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.Created, json.ToJsonString());
        return json["token"]!.GetValue<string>();
    }
}
