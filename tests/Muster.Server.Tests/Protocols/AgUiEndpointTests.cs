using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>AG-UI's endpoint over raw HTTP: refusals come as RUN_ERROR events, never as a 500.</summary>
public sealed class AgUiEndpointTests
{
    private static async Task<List<JsonObject>> RunAsync(HttpClient http, string body, string crew = "research")
    {
        using var response = await http.PostAsync($"/crews/{crew}/agui", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(frame => JsonNode.Parse(frame["data: ".Length..])!.AsObject())];
    }

    private static string Input(string threadId, JsonObject? inputs = null) => new JsonObject
    {
        ["threadId"] = threadId,
        ["runId"] = "r1",
        ["messages"] = new JsonArray(),
        ["forwardedProps"] = new JsonObject { ["inputs"] = inputs ?? new JsonObject { ["topic"] = "tides" } },
    }.ToJsonString();

    [Fact]
    public async Task AThreadIdThatIsNotAUuid_IsRefusedWithRunError()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var http = server.CreateClient(server.BootstrapToken);

        var events = await RunAsync(http, Input("thread-1"));

        events.Single()["type"]!.GetValue<string>().ShouldBe("RUN_ERROR");
        events.Single()["code"]!.GetValue<string>().ShouldBe("INVALID_THREAD_ID");
    }

    [Fact]
    public async Task MalformedJson_AndInputsThatDoNotFit_AreRefusedWithRunError_AndStoreNoRun()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var http = server.CreateClient(server.BootstrapToken);

        var malformed = await RunAsync(http, "{\"threadId\": ");
        var missing = await RunAsync(http, Input(Guid.NewGuid().ToString(), new JsonObject { ["subject"] = "tides" }));

        malformed.Single()["code"]!.GetValue<string>().ShouldBe("INVALID_INPUT");
        missing.Single()["code"]!.GetValue<string>().ShouldBe("INVALID_INPUT");
        missing.Single()["message"]!.GetValue<string>().ShouldContain("topic");
        (await http.GetStringAsync("/api/crew-runs")).ShouldBe("[]");
    }

    [Fact]
    public async Task AnotherOwnersThread_IsRefusedWithRunError_AndTheirRunIsUntouched()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var org = server.CreateClient(server.BootstrapToken);
        using var alice = server.CreateClient(await org.CreateTokenAsync("user", "alice"));
        using var bob = server.CreateClient(await org.CreateTokenAsync("user", "bob"));
        var threadId = Guid.NewGuid().ToString();
        var alices = await RunAsync(alice, Input(threadId));
        alices[^1]["type"]!.GetValue<string>().ShouldBe("RUN_FINISHED");

        var bobs = await RunAsync(bob, Input(threadId));

        bobs.Single()["type"]!.GetValue<string>().ShouldBe("RUN_ERROR");
        bobs.Single()["code"]!.GetValue<string>().ShouldBe("THREAD_NOT_FOUND");
        var (status, record) = await alice.GetJsonAsync($"/api/crew-runs/{threadId}");
        status.ShouldBe(HttpStatusCode.OK);
        record["owner_id"]!.GetValue<string>().ShouldBe("alice");
        record["protocol"]!.GetValue<string>().ShouldBe("ag-ui");
    }

    [Fact]
    public async Task AClientThatLeaves_StopsNothing_TheRunGoesOnToComplete()
    {
        await using var server = await ProtocolServer.StartAsync();
        var hold = AnswerHold.About(server.Simulator, "abandoned tides");
        using var http = server.CreateClient(server.BootstrapToken);
        var threadId = Guid.NewGuid();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/crews/research/agui")
        {
            Content = new StringContent(Input(threadId.ToString(), new JsonObject { ["topic"] = "abandoned tides" }), Encoding.UTF8, "application/json"),
        })
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await hold.WaitForCallAsync();
        }

        hold.Release();

        (await server.FinishedRecordAsync(threadId))["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task ARunStartedOverA2a_IsWatchedOverAgUi_StoppedByAmp_AndListedAsA2a()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var hold = AnswerHold.About(server.Simulator, "shared tides");
        using var http = server.CreateClient(server.BootstrapToken);
        using var send = await http.PostAsync("/crews/research/a2a", new StringContent(
            """{"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"configuration": {"returnImmediately": true}, "message": {"messageId": "m1", "role": "ROLE_USER", "parts": [{"data": {"topic": "shared tides"}}]}}}""",
            Encoding.UTF8, "application/json"));
        var taskId = JsonNode.Parse(await send.Content.ReadAsStringAsync())!["result"]!["task"]!["id"]!.GetValue<string>();
        await hold.WaitForCallAsync();

        var watching = RunAsync(http, new JsonObject { ["threadId"] = taskId, ["runId"] = "watch", ["messages"] = new JsonArray() }.ToJsonString());
        await Eventually.Until(() => server.RunRecordAsync(Guid.Parse(taskId)), r => r["status"]!.GetValue<string>() == "running", "the run never ran");
        using var stop = await http.PostAsync($"/crews/research/stop/{taskId}", null);
        var events = await watching;

        stop.StatusCode.ShouldBe(HttpStatusCode.OK);
        events[0]["type"]!.GetValue<string>().ShouldBe("RUN_STARTED");
        events[0]["threadId"]!.GetValue<string>().ShouldBe(taskId);
        events[^1]["type"]!.GetValue<string>().ShouldBe("RUN_FINISHED");
        events[^1]["outcome"]!["type"]!.GetValue<string>().ShouldBe("cancelled");
        var record = await server.RunRecordAsync(Guid.Parse(taskId));
        record["protocol"]!.GetValue<string>().ShouldBe("a2a");
        record["status"]!.GetValue<string>().ShouldBe("failed");
    }
}
