using System.Net;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>The MCP server at <c>/mcp</c>, driven by the official .NET client over Streamable HTTP on loopback.</summary>
public sealed class McpServerTests
{
    private static async Task<McpClient> ConnectAsync(MusterServerFixture server, string? token = null, McpClientOptions? options = null)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.BaseAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token ?? server.BootstrapToken}" },
        });
        return await McpClient.CreateAsync(transport, options);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));

    private static Guid RunIdOf(CallToolResult result) => Guid.Parse(result.StructuredContent!.Value.GetProperty("run_id").GetString()!);

    [Fact]
    public async Task ToolsList_ShowsEachCoveredCrewWithItsInputsAndTheRunTools()
    {
        await using var server = await ProtocolServer.StartAsync();
        await using var client = await ConnectAsync(server);

        var tools = await client.ListToolsAsync();

        tools.Select(t => t.Name).ShouldBe(["research", "support", "get_run", "stop_run", "resume_run"], ignoreOrder: true);
        var research = tools.Single(t => t.Name == "research");
        research.Description.ShouldBe("Two tasks for tests.");
        research.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ShouldBe(["topic"]);
        research.JsonSchema.GetProperty("properties").GetProperty("topic").GetProperty("type").GetString().ShouldBe("string");
        tools.Single(t => t.Name == "support").Description.ShouldContain("draft_reply");
    }

    [Fact]
    public async Task ToolsList_ForATokenLimitedToOneCrew_ShowsOnlyThatCrew()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var org = server.CreateClient(server.BootstrapToken);
        var limited = await org.CreateTokenAsync("organization", null, "support");
        await using var client = await ConnectAsync(server, limited);

        var tools = await client.ListToolsAsync();

        tools.Select(t => t.Name).ShouldBe(["support", "get_run", "stop_run", "resume_run"], ignoreOrder: true);
        var call = await Should.ThrowAsync<McpProtocolException>(() => client.CallToolAsync("research", new Dictionary<string, object?> { ["topic"] = "x" }).AsTask());
        call.ErrorCode.ShouldBe(McpErrorCode.InvalidParams);
    }

    [Fact]
    public async Task CallTool_RunsTheCrewToItsEnd_WithProgressPerTask_AndTheRunIsADurableMcpRun()
    {
        await using var server = await ProtocolServer.StartAsync();
        await using var client = await ConnectAsync(server);
        // Heard for the whole session, not only while the call is open: the client hands a notification to its handler
        // beside the call's answer, so a handler of the call alone (CallToolAsync's IProgress) can miss the last one.
        var token = "progress-" + Guid.NewGuid().ToString("N");
        var progress = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        await using var listening = client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            var value = JsonSerializer.SerializeToElement(notification.Params);
            if (value.GetProperty("progressToken").GetString() == token)
            {
                progress.Enqueue(value);
            }

            return ValueTask.CompletedTask;
        });

        var result = await client.CallToolAsync(new CallToolRequestParams
        {
            Name = "research",
            Arguments = new Dictionary<string, JsonElement> { ["topic"] = JsonSerializer.SerializeToElement("tidal energy") },
            Meta = new System.Text.Json.Nodes.JsonObject { ["progressToken"] = token },
        });

        result.IsError.ShouldNotBe(true, Text(result));
        Text(result).ShouldNotBeNullOrWhiteSpace();
        await Eventually.Until(() => progress.Count >= 2, "two progress notifications (one per task) never arrived");
        progress.Select(p => p.GetProperty("progress").GetDouble()).ShouldBe([1d, 2d], ignoreOrder: true);
        progress.ShouldAllBe(p => p.GetProperty("total").GetDouble() == 2);

        using var http = server.CreateClient(server.BootstrapToken);
        using var list = JsonDocument.Parse(await http.GetStringAsync("/api/crew-runs?limit=10"));
        var run = list.RootElement.EnumerateArray().Single();
        run.GetProperty("protocol").GetString().ShouldBe("mcp");
        run.GetProperty("status").GetString().ShouldBe("completed");
        run.GetProperty("result").GetString().ShouldBe(Text(result));
    }

    [Fact]
    public async Task CallTool_WhenTheRunFails_AnswersIsErrorWithTheReason()
    {
        await using var server = await ProtocolServer.StartAsync();
        await using var client = await ConnectAsync(server);

        var result = await client.CallToolAsync("research", new Dictionary<string, object?> { ["topic"] = ProtocolServer.Explode });

        result.IsError.ShouldBe(true);
        Text(result).ShouldContain("failed");
    }

    [Fact]
    public async Task CallTool_WithAMissingInput_AnswersIsErrorNamingIt_AndStoresNoRun()
    {
        await using var server = await ProtocolServer.StartAsync();
        await using var client = await ConnectAsync(server);

        var result = await client.CallToolAsync("research", new Dictionary<string, object?>());

        result.IsError.ShouldBe(true);
        Text(result).ShouldContain("topic");
        using var http = server.CreateClient(server.BootstrapToken);
        (await http.GetStringAsync("/api/crew-runs")).ShouldBe("[]");
    }

    [Fact]
    public async Task CallTool_OfAReviewTask_WithoutElicitation_PausesWithTheRunAndTask_ThenResumeRunRejectsAndApproves()
    {
        await using var server = await ProtocolServer.StartAsync();
        await using var client = await ConnectAsync(server);

        var paused = await client.CallToolAsync("support", new Dictionary<string, object?> { ["question"] = "How do I reset my password?" });

        paused.IsError.ShouldNotBe(true, Text(paused));
        Text(paused).ShouldContain("draft_reply");
        Text(paused).ShouldContain("resume_run");
        var runId = RunIdOf(paused);
        (await server.RunRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("running");

        var again = await client.CallToolAsync("resume_run", new Dictionary<string, object?> { ["run_id"] = runId.ToString(), ["approve"] = false, ["feedback"] = "Mention the self-service page." });
        RunIdOf(again).ShouldBe(runId);
        Text(again).ShouldContain("paused for human review");
        server.Simulator.Requests.ShouldContain(r => r.Mentions("Mention the self-service page."));

        var done = await client.CallToolAsync("resume_run", new Dictionary<string, object?> { ["run_id"] = runId.ToString(), ["approve"] = true });
        done.IsError.ShouldNotBe(true, Text(done));
        (await server.RunRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task CallTool_OfAReviewTask_AsksAClientThatSupportsElicitation_AndResumesWithItsAnswer()
    {
        await using var server = await ProtocolServer.StartAsync();
        var asked = new List<string>();
        var answers = new Queue<(bool Approve, string Feedback)>([(false, "Be shorter."), (true, "")]);
        // Elicitation needs a session: the 2025-11-25 protocol's (the 2026-07-28 one is served without).
        var options = new McpClientOptions
        {
            ProtocolVersion = "2025-11-25",
            Handlers = new McpClientHandlers
            {
                ElicitationHandler = (request, _) =>
                {
                    asked.Add(request!.Message);
                    var (approve, feedback) = answers.Dequeue();
                    return ValueTask.FromResult(new ElicitResult
                    {
                        Action = "accept",
                        Content = new Dictionary<string, JsonElement>
                        {
                            ["approve"] = JsonSerializer.SerializeToElement(approve),
                            ["feedback"] = JsonSerializer.SerializeToElement(feedback),
                        },
                    });
                },
            },
        };
        await using var client = await ConnectAsync(server, options: options);

        var result = await client.CallToolAsync("support", new Dictionary<string, object?> { ["question"] = "Where is my parcel?" });

        result.IsError.ShouldNotBe(true, Text(result));
        asked.Count.ShouldBe(2);
        asked[0].ShouldContain("draft_reply");
        server.Simulator.Requests.ShouldContain(r => r.Mentions("Be shorter."));
        using var http = server.CreateClient(server.BootstrapToken);
        var runs = JsonDocument.Parse(await http.GetStringAsync("/api/crew-runs")).RootElement;
        runs.EnumerateArray().Single().GetProperty("status").GetString().ShouldBe("completed");
    }

    [Fact]
    public async Task NotificationsCancelled_ForACall_StopsItsRun()
    {
        // The .NET client 2.4.0 sends no notifications/cancelled when a call is cancelled (the npm client does, see
        // ProtocolClientTests), so this test speaks the 2025-11-25 session protocol itself.
        await using var server = await ProtocolServer.StartAsync();
        using var hold = AnswerHold.About(server.Simulator, "slow tides");
        using var http = server.CreateClient(server.BootstrapToken);
        using var initialize = await McpPostAsync(http, null, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        initialize.StatusCode.ShouldBe(HttpStatusCode.OK, await initialize.Content.ReadAsStringAsync());
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        (await McpPostAsync(http, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""")).Dispose();

        using var call = await McpPostAsync(http, session, """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"research","arguments":{"topic":"slow tides"}}}""");
        await hold.WaitForCallAsync();
        using var cancelled = await McpPostAsync(http, session, """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"the user changed their mind"}}""");

        cancelled.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var runId = Guid.Parse(JsonDocument.Parse(await http.GetStringAsync("/api/crew-runs")).RootElement[0].GetProperty("id").GetString()!);
        var record = await server.FinishedRecordAsync(runId);
        record["error"]!.GetValue<string>().ShouldContain("Stopped by");
    }

    private static async Task<HttpResponseMessage> McpPostAsync(HttpClient http, string? session, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        }

        // Headers only: a tools/call answers as a stream that stays open until the call ends.
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task ADroppedClient_StopsNothing_TheRunGoesOnToComplete()
    {
        await using var server = await ProtocolServer.StartAsync();
        var hold = AnswerHold.About(server.Simulator, "long tides");
        var client = await ConnectAsync(server);
        _ = client.CallToolAsync("research", new Dictionary<string, object?> { ["topic"] = "long tides" }).AsTask();
        await hold.WaitForCallAsync();

        await client.DisposeAsync();
        hold.Release();

        using var http = server.CreateClient(server.BootstrapToken);
        var runId = Guid.Parse(JsonDocument.Parse(await http.GetStringAsync("/api/crew-runs")).RootElement[0].GetProperty("id").GetString()!);
        (await server.FinishedRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task StopRun_StopsARunningRun_AndGetRunShowsIt()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var hold = AnswerHold.About(server.Simulator, "stuck tides");
        using var http = server.CreateClient(server.BootstrapToken);
        var runId = await http.KickoffAsync(new System.Text.Json.Nodes.JsonObject { ["topic"] = "stuck tides" });
        await hold.WaitForCallAsync();
        await using var client = await ConnectAsync(server);

        var stopped = await client.CallToolAsync("stop_run", new Dictionary<string, object?> { ["run_id"] = runId.ToString() });

        stopped.IsError.ShouldNotBe(true, Text(stopped));
        await server.FinishedRecordAsync(runId);
        var status = await client.CallToolAsync("get_run", new Dictionary<string, object?> { ["run_id"] = runId.ToString() });
        status.StructuredContent!.Value.GetProperty("status").GetString().ShouldBe("stopped");
    }

    [Fact]
    public async Task GetRun_OfAnotherUsersRun_OrAnUnknownId_IsNotFound()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var org = server.CreateClient(server.BootstrapToken);
        var alice = await org.CreateTokenAsync("user", "alice");
        var bob = await org.CreateTokenAsync("user", "bob");
        await using var aliceClient = await ConnectAsync(server, alice);
        var aliceRun = await aliceClient.CallToolAsync("research", new Dictionary<string, object?> { ["topic"] = "alice's tides" });
        using var aliceHttp = server.CreateClient(alice);
        var runId = Guid.Parse(JsonDocument.Parse(await aliceHttp.GetStringAsync("/api/crew-runs")).RootElement[0].GetProperty("id").GetString()!);
        aliceRun.IsError.ShouldNotBe(true);
        await using var bobClient = await ConnectAsync(server, bob);

        var bobs = await bobClient.CallToolAsync("get_run", new Dictionary<string, object?> { ["run_id"] = runId.ToString() });
        var unknown = await bobClient.CallToolAsync("stop_run", new Dictionary<string, object?> { ["run_id"] = Guid.NewGuid().ToString() });
        var garbage = await bobClient.CallToolAsync("get_run", new Dictionary<string, object?> { ["run_id"] = "not-a-uuid" });

        bobs.IsError.ShouldBe(true);
        Text(bobs).ShouldContain("not found");
        unknown.IsError.ShouldBe(true);
        garbage.IsError.ShouldBe(true);
    }

    [Fact]
    public async Task StatelessMode_ServesToolCallsWithoutASession()
    {
        await using var server = await ProtocolServer.StartAsync(new Dictionary<string, string?> { ["Muster:McpStateless"] = "true" });
        await using var client = await ConnectAsync(server);

        var result = await client.CallToolAsync("research", new Dictionary<string, object?> { ["topic"] = "stateless tides" });

        client.SessionId.ShouldBeNull();
        result.IsError.ShouldNotBe(true, Text(result));
    }

    [Fact]
    public async Task TheSessionProtocol_20251125_GetsASession()
    {
        await using var server = await ProtocolServer.StartAsync();
        await using var client = await ConnectAsync(server, options: new McpClientOptions { ProtocolVersion = "2025-11-25" });

        client.SessionId.ShouldNotBeNullOrEmpty();
        client.NegotiatedProtocolVersion.ShouldBe("2025-11-25");
        (await client.ListToolsAsync()).ShouldContain(t => t.Name == "research");
    }

    [Fact]
    public async Task Mcp_WithoutAToken_Is401()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var http = server.CreateClient();

        using var response = await http.PostAsync("/mcp", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
