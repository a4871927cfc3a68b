using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>The crew-runs API calls tests make, over real HTTP.</summary>
internal static class CrewRunsCalls
{
    public const string CorrelationHeader = "x-correlation-id";

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, JsonObject body, string? correlationId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (correlationId is not null)
        {
            request.Headers.Add(CorrelationHeader, correlationId);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Runs a deployed crew through <c>POST /api/crews/run</c> and answers the new run's id.</summary>
    public static async Task<Guid> RunCrewAsync(this HttpClient client, string crewType, JsonObject taskInput, string? correlationId = null)
    {
        using var response = await client.PostJsonAsync("/api/crews/run", new JsonObject { ["crew_type"] = crewType, ["task_input"] = taskInput }, correlationId);
        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
        return Guid.Parse(body["id"]!.GetValue<string>());
    }

    public static async Task<JsonArray> GetArrayAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsArray();
    }

    public static async Task<List<Guid>> ListIdsAsync(this HttpClient client, string query = "") =>
        [.. (await client.GetArrayAsync("/api/crew-runs" + query)).Select(run => Guid.Parse(run!["id"]!.GetValue<string>()))];

    /// <summary>Polls <c>GET /api/crew-runs/{id}</c> until its status is <paramref name="status"/> (<paramref name="timeout"/>: only a ceiling).</summary>
    public static Task<JsonObject> WaitForRunAsync(this HttpClient client, Guid id, string status, TimeSpan? timeout = null) =>
        Eventually.Until(
            async () =>
            {
                var (code, body) = await client.GetJsonAsync($"/api/crew-runs/{id}");
                code.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
                return body;
            },
            body => body["status"]?.GetValue<string>() == status,
            $"run {id} never became {status}",
            timeout);

    /// <summary>The <c>loc</c> of each field error in a 422 answer.</summary>
    public static async Task<List<string>> ReadErrorPathsAsync(this HttpResponseMessage response)
    {
        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        return [.. body["detail"]!.AsArray().Select(e => e!["loc"]!.GetValue<string>())];
    }
}
