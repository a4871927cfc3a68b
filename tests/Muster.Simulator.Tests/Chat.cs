using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Muster.Simulator.Tests;

/// <summary>Helpers to talk to a simulator over real HTTP, the way an OpenAI client would.</summary>
internal static class Chat
{
    public static JsonObject Request(string userMessage, string model = "muster-simulator") => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = "You are a helpful assistant." },
            new JsonObject { ["role"] = "user", ["content"] = userMessage }),
    };

    public static Task<HttpResponseMessage> PostAsync(HttpClient http, LlmSimulator simulator, JsonObject body, CancellationToken cancellationToken = default) =>
        http.PostAsJsonAsync(new Uri(simulator.BaseUrl, "chat/completions"), body, cancellationToken);

    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        (JsonObject)(await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync()))!;

    public static string? Content(JsonObject completion) => (string?)completion["choices"]![0]!["message"]!["content"];
}
