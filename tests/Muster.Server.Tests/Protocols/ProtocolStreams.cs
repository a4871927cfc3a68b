using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Muster.Server.Tests.Protocols;

/// <summary>A user token made and revoked over the API, and a protocol's POST answered by server-sent events, read raw.</summary>
internal static class ProtocolStreams
{
    /// <summary>Creates a user token with the organization token of <paramref name="org"/>: its secret and its id.</summary>
    public static async Task<(string Token, string Id)> CreateUserTokenAsync(this HttpClient org, string userId)
    {
        using var created = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "user", ["user_id"] = userId });
        var (status, body) = await created.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.Created, body.ToJsonString());
        return (body["token"]!.GetValue<string>(), body["info"]!["id"]!.GetValue<string>());
    }

    public static async Task RevokeTokenAsync(this HttpClient org, string tokenId)
    {
        using var revoked = await org.DeleteAsync($"/api/tokens/{tokenId}");
        revoked.StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    /// <summary>POSTs <paramref name="json"/> and answers once the headers came, the stream still open.</summary>
    public static async Task<HttpResponseMessage> PostForStreamAsync(this HttpClient http, string path, JsonObject json, string? a2aVersion = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (a2aVersion is not null)
        {
            request.Headers.Add("A2A-Version", a2aVersion);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        return response;
    }

    /// <summary>The <c>data:</c> of each event that has one, read until the server ends the stream.</summary>
    public static async Task<List<JsonObject>> ReadDataUntilEndAsync(this HttpResponseMessage response)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var data = new List<JsonObject>();
        while (await reader.ReadLineAsync() is { } line)
        {
            // An event without data (MCP's priming event before a stream can be resumed) carries nothing to read.
            if (line.StartsWith("data:", StringComparison.Ordinal) && line["data:".Length..].Trim() is { Length: > 0 } json)
            {
                data.Add(JsonNode.Parse(json)!.AsObject());
            }
        }

        return data;
    }
}
