using System.Net;
using System.Text.Json.Nodes;

namespace Muster.Simulator.Tests;

public sealed class ChatCompletionTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private LlmSimulator _simulator = null!;

    public async Task InitializeAsync() => _simulator = await LlmSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task DefaultAnswer_SaysItIsSimulated_AndSummarisesTheLastUserMessage()
    {
        using var response = await Chat.PostAsync(_http, _simulator, Chat.Request("Write a haiku about the sea and the moon"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var completion = await Chat.ReadAsync(response);
        var content = Chat.Content(completion);
        content.ShouldStartWith("[Simulated answer from Muster's LLM simulator, not a real model]");
        content!.ShouldContain("Write a haiku about the sea and the moon");
        ((string?)completion["object"]).ShouldBe("chat.completion");
        ((string?)completion["model"]).ShouldBe("muster-simulator");
        ((string?)completion["choices"]![0]!["finish_reason"]).ShouldBe("stop");
    }

    [Fact]
    public async Task DefaultAnswer_IsDeterministic_AndTruncatesLongMessagesToTwelveWords()
    {
        const string prompt = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";

        var first = Chat.Content(await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, Chat.Request(prompt))));
        var second = Chat.Content(await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, Chat.Request(prompt))));

        first.ShouldBe(second);
        first!.ShouldContain("twelve");
        first!.ShouldNotContain("thirteen");
    }

    [Fact]
    public async Task Usage_IsAlwaysPresent_AndCountsWords()
    {
        using var response = await Chat.PostAsync(_http, _simulator, Chat.Request("three little words"));

        var completion = await Chat.ReadAsync(response);
        var usage = completion["usage"]!;
        var answerWords = Chat.Content(completion)!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        ((int)usage["prompt_tokens"]!).ShouldBe(5 + 3);
        ((int)usage["completion_tokens"]!).ShouldBe(answerWords);
        ((int)usage["total_tokens"]!).ShouldBe(8 + answerWords);
    }

    [Fact]
    public async Task ScriptedText_IsUsedInOrder_WithGivenTokenCounts_ThenFallsBackToDefault()
    {
        _simulator.Enqueue(SimulatedReply.Text("first", promptTokens: 100, completionTokens: 7, cachedPromptTokens: 40), SimulatedReply.Text("second"));

        var first = await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, Chat.Request("a")));
        var second = await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, Chat.Request("b")));
        var third = await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, Chat.Request("c")));

        Chat.Content(first).ShouldBe("first");
        ((int)first["usage"]!["prompt_tokens"]!).ShouldBe(100);
        ((int)first["usage"]!["completion_tokens"]!).ShouldBe(7);
        ((int)first["usage"]!["prompt_tokens_details"]!["cached_tokens"]!).ShouldBe(40);
        Chat.Content(second).ShouldBe("second");
        Chat.Content(third).ShouldStartWith("[Simulated answer");
        _simulator.CompletionCount.ShouldBe(3);
    }

    [Fact]
    public async Task ScriptedToolCalls_AreReturnedInOpenAiFormat()
    {
        _simulator.Enqueue(SimulatedReply.ToolCalls(
            new SimulatedToolCall("search", """{"query":"muster"}"""),
            new SimulatedToolCall("fetch", """{"url":"http://x"}""", "call_fixed")));

        var completion = await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, Chat.Request("find it")));

        var choice = completion["choices"]![0]!;
        ((string?)choice["finish_reason"]).ShouldBe("tool_calls");
        var calls = choice["message"]!["tool_calls"]!.AsArray();
        calls.Count.ShouldBe(2);
        ((string?)calls[0]!["id"]).ShouldStartWith("call_");
        ((string?)calls[0]!["type"]).ShouldBe("function");
        ((string?)calls[0]!["function"]!["name"]).ShouldBe("search");
        ((string?)calls[0]!["function"]!["arguments"]).ShouldBe("""{"query":"muster"}""");
        ((string?)calls[1]!["id"]).ShouldBe("call_fixed");
        choice["message"]!["content"].ShouldBeNull();
        completion["usage"]!["completion_tokens"].ShouldNotBeNull();
    }

    [Fact]
    public async Task ScriptedError_UsesOpenAiErrorBody_AndRetryAfterHeader()
    {
        _simulator.Enqueue(SimulatedReply.Error(429, "Slow down", TimeSpan.FromSeconds(2)), SimulatedReply.Error(500, "Boom"));

        using var limited = await Chat.PostAsync(_http, _simulator, Chat.Request("a"));
        using var failed = await Chat.PostAsync(_http, _simulator, Chat.Request("b"));

        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(2));
        var error = (await Chat.ReadAsync(limited))["error"]!;
        ((string?)error["message"]).ShouldBe("Slow down");
        ((string?)error["code"]).ShouldBe("rate_limit_exceeded");
        error["type"].ShouldNotBeNull();
        failed.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        failed.Headers.RetryAfter.ShouldBeNull();
        ((string?)(await Chat.ReadAsync(failed))["error"]!["type"]).ShouldBe("server_error");
    }

    [Fact]
    public async Task Responder_SeesTheParsedRequest_AndNullResultGivesDefault()
    {
        _simulator.Responder = request => request.ToolNames.Contains("lookup") ? SimulatedReply.Text("used " + request.Model) : null;
        var withTool = Chat.Request("hi", model: "gpt-test");
        withTool["tools"] = new JsonArray(new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = "lookup", ["parameters"] = new JsonObject { ["type"] = "object" } },
        });

        var custom = await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, withTool));
        var fallback = await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, Chat.Request("hi")));

        Chat.Content(custom).ShouldBe("used gpt-test");
        Chat.Content(fallback).ShouldStartWith("[Simulated answer");
        var recorded = _simulator.Requests;
        recorded.Count.ShouldBe(2);
        recorded[0].ToolNames.ShouldBe(["lookup"]);
        recorded[0].Messages.Select(m => m.Role).ShouldBe(["system", "user"]);
        recorded[0].LastUserMessage.ShouldBe("hi");
    }

    [Fact]
    public async Task StreamTrue_IsRejectedWith400AndAClearMessage()
    {
        var body = Chat.Request("hi");
        body["stream"] = true;

        using var response = await Chat.PostAsync(_http, _simulator, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ((string?)(await Chat.ReadAsync(response))["error"]!["message"])!.ShouldContain("streaming");
    }

    [Fact]
    public async Task MalformedBody_Returns400NotA500()
    {
        using var content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(_simulator.BaseUrl, "chat/completions"), content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ((string?)(await Chat.ReadAsync(response))["error"]!["message"])!.ShouldContain("not valid JSON");
    }

    [Fact]
    public async Task Models_ListsTheSimulatorModel()
    {
        using var response = await _http.GetAsync(new Uri(_simulator.BaseUrl, "models"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var list = await Chat.ReadAsync(response);
        ((string?)list["object"]).ShouldBe("list");
        ((string?)list["data"]![0]!["id"]).ShouldBe("muster-simulator");
    }
}
