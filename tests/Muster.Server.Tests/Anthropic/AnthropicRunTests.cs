using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Anthropic;

/// <summary>Runs of crews on <c>anthropic/claude-…</c> models, through the server over HTTP, against the Messages API stand-in.</summary>
public sealed class AnthropicRunTests : IAsyncLifetime
{
    private AnthropicStandIn _claude = null!;
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync()
    {
        _claude = await AnthropicStandIn.StartAsync();
        _server = await AnthropicCrews.StartServerAsync(_claude);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _claude.DisposeAsync();
    }

    [Fact]
    public async Task ClaudeCrew_Completes_ThroughTheMessagesApi_WithTheKeyAndTheModelName()
    {
        _claude.Enqueue(AnthropicReply.Text("Tides follow the Moon."));
        using var client = _server.CreateClient(_server.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/claude");
        var done = await client.WaitForFinishAsync(id, "/crews/claude");

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        done["result"]!.ToJsonString().ShouldContain("Tides follow the Moon.");
        var request = _claude.Requests.ShouldHaveSingleItem();
        request.Model.ShouldBe(AnthropicCrews.Model);
        request.ApiKey.ShouldBe(AnthropicCrews.ApiKey);
        request.Version.ShouldNotBeNullOrEmpty();
        request.Body["max_tokens"]!.GetValue<int>().ShouldBeGreaterThan(0);
        request.AllText.ShouldContain("Tide Analyst");
        request.AllText.ShouldContain("Explain tides in one sentence.");
    }

    [Fact]
    public async Task Usage_WithCacheReadsAndWrites_CountsThemAsPromptTokens_AndTheReadsAsCached()
    {
        _claude.Enqueue(AnthropicReply.Text("Tides follow the Moon.", new AnthropicUsage(InputTokens: 100, OutputTokens: 20, CacheReadInputTokens: 300, CacheCreationInputTokens: 50)));
        using var client = _server.CreateClient(_server.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/claude");
        await client.WaitForFinishAsync(id, "/crews/claude");

        var usage = (await Event(client, id, "crew_kickoff_completed"))["token_usage"]!;
        usage["prompt_tokens"]!.GetValue<long>().ShouldBe(450);
        usage["cached_prompt_tokens"]!.GetValue<long>().ShouldBe(300);
        usage["completion_tokens"]!.GetValue<long>().ShouldBe(20);
        usage["total_tokens"]!.GetValue<long>().ShouldBe(470);
        usage["successful_requests"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task ToolCalls_SingleAndParallel_AreRun_AndGoBackAsToolResults()
    {
        _claude.Enqueue(
            AnthropicReply.ToolUses(("calculator", """{"expression":"2+3"}""")),
            AnthropicReply.ToolUses(("calculator", """{"expression":"10*10"}"""), ("calculator", """{"expression":"sqrt(81)"}""")),
            AnthropicReply.Text("5, 100 and 9"));
        using var client = _server.CreateClient(_server.BootstrapToken);

        var id = await client.KickoffAsync([], "/crews/claude_tools");
        var done = await client.WaitForFinishAsync(id, "/crews/claude_tools");

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        done["result"]!.ToJsonString().ShouldContain("5, 100 and 9");
        var requests = _claude.Requests;
        requests.Count.ShouldBe(3);
        requests[0].ToolNames.ShouldBe(["calculator"]);
        requests[1].ToolResults.Select(r => r.Content).ShouldBe(["5"]);
        requests[2].ToolResults.Select(r => r.Content).ShouldBe(["5", "100", "9"]);
        requests[2].ToolResults.Select(r => r.Id).Distinct().Count().ShouldBe(3, "each result answers its own tool_use block");
        var events = await Events(client, id);
        events.Count(e => e["type"]!.GetValue<string>() == "tool_usage_finished").ShouldBe(3);
    }

    [Fact]
    public async Task OutputJson_IsAskedForInThePrompt_AndTheTaskCarriesTheParsedJson()
    {
        _claude.Enqueue(AnthropicReply.Text("""{"headline": "Why the Moon Moves the Sea", "words": 6}"""));
        using var client = _server.CreateClient(_server.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/claude_json");
        var done = await client.WaitForFinishAsync(id, "/crews/claude_json");

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        var request = _claude.Requests.ShouldHaveSingleItem();
        request.Body.ContainsKey("output_config").ShouldBeFalse(request.Body.ToJsonString());
        request.Body.ContainsKey("output_format").ShouldBeFalse(request.Body.ToJsonString());
        request.Body.ContainsKey("tool_choice").ShouldBeFalse(request.Body.ToJsonString());
        request.AllText.ShouldContain("\"headline\"");
        var task = await Event(client, id, "task_completed");
        task["output_json"]!.ToJsonString().ShouldBe("""{"headline":"Why the Moon Moves the Sea","words":6}""");
    }

    [Fact]
    public async Task RateLimitOverloadAndServerError_AreRetried_AfterTheirRetryAfter()
    {
        _claude.Enqueue(
            AnthropicReply.Error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", retryAfterSeconds: 1),
            AnthropicReply.Error(529, "overloaded_error", "Overloaded", retryAfterSeconds: 1),
            AnthropicReply.Error(500, "api_error", "Internal server error", retryAfterSeconds: 1),
            AnthropicReply.Text("after three retries"));
        using var client = _server.CreateClient(_server.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/claude");
        var done = await client.WaitForFinishAsync(id, "/crews/claude");

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        done["result"]!.ToJsonString().ShouldContain("after three retries");
        _claude.Requests.Count.ShouldBe(4);
    }

    [Fact]
    public async Task BadRequest_FailsTheRunAtOnce_WithTheProvidersMessage_AndNoKey()
    {
        _claude.Enqueue(AnthropicReply.Error(400, "invalid_request_error", $"max_tokens: too large for key {AnthropicCrews.ApiKey}"));
        using var client = _server.CreateClient(_server.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/claude");
        var done = await client.WaitForFinishAsync(id, "/crews/claude");

        done["status"]!.GetValue<string>().ShouldBe("error", done.ToJsonString());
        var (_, run) = await client.GetJsonAsync($"/api/crew-runs/{id}");
        var error = run["error"]!.GetValue<string>();
        error.ShouldContain("HTTP 400");
        error.ShouldContain("max_tokens: too large");
        error.ShouldNotContain(AnthropicCrews.ApiKey);
        _claude.Requests.Count.ShouldBe(1);
    }

    private static async Task<List<JsonNode>> Events(HttpClient client, Guid id) =>
        [.. (await client.GetFromJsonAsync<JsonArray>($"/api/crew-runs/{id}/events"))!.Select(e => e!)];

    private static async Task<JsonNode> Event(HttpClient client, Guid id, string type) =>
        (await Events(client, id)).Single(e => e["type"]!.GetValue<string>() == type)["data"]!;
}
