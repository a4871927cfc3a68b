using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>
/// MCP requests still open when their token is revoked: a <c>tools/call</c> answers a JSON-RPC error, a session's GET
/// stream ends; the run goes on, and the token is refused from then on.
/// </summary>
public sealed class McpRevokedStreamTests
{
    private const string SessionProtocol = "2025-11-25";

    private static async Task<Guid> OnlyRunAsync(HttpClient org) =>
        Guid.Parse(JsonDocument.Parse(await org.GetStringAsync("/api/crew-runs")).RootElement.EnumerateArray().Single().GetProperty("id").GetString()!);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static HttpRequestMessage McpRequest(HttpMethod method, string? session, string? json = null)
    {
        var request = new HttpRequestMessage(method, "/mcp") { Content = json is null ? null : Json(json) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (json is not null)
        {
            request.Headers.Accept.ParseAdd("application/json");
        }

        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", SessionProtocol);
        }

        return request;
    }

    [Fact]
    public async Task RevokingTheToken_FailsTheOfficialClientsOpenToolCall_AndTheRunGoesOnToComplete()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var hold = AnswerHold.About(server.Simulator, "revoked mcp tides");
        using var org = server.CreateClient(server.BootstrapToken);
        var (token, tokenId) = await org.CreateUserTokenAsync("alice");
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.BaseAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        }));
        var call = client.CallToolAsync("research", new Dictionary<string, object?> { ["topic"] = "revoked mcp tides" }).AsTask();
        await hold.WaitForCallAsync();

        await org.RevokeTokenAsync(tokenId);
        var failed = await Should.ThrowAsync<McpProtocolException>(call.WaitAsync(Eventually.ProcessLimit));

        failed.ErrorCode.ShouldBe(McpErrorCode.InvalidRequest);
        failed.Message.ShouldContain("revoked");
        var runId = await OnlyRunAsync(org);
        (await server.RunRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("running");
        using var alice = server.CreateClient(token);
        using var again = await alice.SendAsync(McpRequest(HttpMethod.Post, null, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""));
        again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        hold.Release();
        (await server.FinishedRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task RevokingTheToken_EndsTheSessionsGetStream_AndAnswersItsToolCallWithAnError_AndTheRunGoesOnToComplete()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var hold = AnswerHold.About(server.Simulator, "revoked session tides");
        using var org = server.CreateClient(server.BootstrapToken);
        var (token, tokenId) = await org.CreateUserTokenAsync("alice");
        using var alice = server.CreateClient(token);
        using var initialize = await alice.SendAsync(McpRequest(HttpMethod.Post, null,
            new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = 1,
                ["method"] = "initialize",
                ["params"] = new JsonObject { ["protocolVersion"] = SessionProtocol, ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "raw", ["version"] = "1" } },
            }.ToJsonString()));
        initialize.StatusCode.ShouldBe(HttpStatusCode.OK, await initialize.Content.ReadAsStringAsync());
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        (await alice.SendAsync(McpRequest(HttpMethod.Post, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}"""))).Dispose();

        using var listening = await alice.SendAsync(McpRequest(HttpMethod.Get, session), HttpCompletionOption.ResponseHeadersRead);
        listening.StatusCode.ShouldBe(HttpStatusCode.OK);
        var getStream = listening.ReadDataUntilEndAsync();
        using var calling = await alice.SendAsync(
            McpRequest(HttpMethod.Post, session, """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"research","arguments":{"topic":"revoked session tides"}}}"""),
            HttpCompletionOption.ResponseHeadersRead);
        calling.StatusCode.ShouldBe(HttpStatusCode.OK);
        var callStream = calling.ReadDataUntilEndAsync();
        await hold.WaitForCallAsync();

        await org.RevokeTokenAsync(tokenId);
        await getStream.WaitAsync(Eventually.ProcessLimit);
        var answer = (await callStream.WaitAsync(Eventually.ProcessLimit)).Single(message => message["id"]?.GetValue<int>() == 7);

        answer["error"]?["code"]?.GetValue<int>().ShouldBe(-32600, answer.ToJsonString());
        answer["error"]!["message"]!.GetValue<string>().ShouldContain("revoked");
        var runId = await OnlyRunAsync(org);
        (await server.RunRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("running");
        using var again = await alice.SendAsync(McpRequest(HttpMethod.Post, session, """{"jsonrpc":"2.0","id":8,"method":"tools/list"}"""));
        again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        hold.Release();
        (await server.FinishedRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task RevokingTheToken_WhileTheCallAsksForAReview_FailsTheCall_AndTheRunStillAwaitsItsReview()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var org = server.CreateClient(server.BootstrapToken);
        var (token, tokenId) = await org.CreateUserTokenAsync("alice");
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A reviewer who never answers: only the revocation can end the question.
        var reviewer = new TaskCompletionSource<ElicitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(server.BaseAddress, "/mcp"),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
            }),
            new McpClientOptions
            {
                ProtocolVersion = SessionProtocol,
                Handlers = new McpClientHandlers
                {
                    ElicitationHandler = async (_, cancellationToken) =>
                    {
                        asked.TrySetResult();
                        return await reviewer.Task.WaitAsync(cancellationToken);
                    },
                },
            });
        var call = client.CallToolAsync("support", new Dictionary<string, object?> { ["question"] = "Where is my revoked parcel?" }).AsTask();
        await asked.Task.WaitAsync(Eventually.ProcessLimit);

        await org.RevokeTokenAsync(tokenId);
        var failed = await Should.ThrowAsync<McpProtocolException>(call.WaitAsync(Eventually.ProcessLimit));

        failed.ErrorCode.ShouldBe(McpErrorCode.InvalidRequest);
        failed.Message.ShouldContain("revoked");
        var runId = await OnlyRunAsync(org);
        (await server.RunRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("running");
        using var resumed = await org.PostAsJsonAsync("/crews/support/resume", new JsonObject
        {
            ["execution_id"] = runId.ToString(),
            ["task_id"] = "draft_reply",
            ["is_approve"] = true,
            ["human_feedback"] = "",
        });
        resumed.IsSuccessStatusCode.ShouldBeTrue(await resumed.Content.ReadAsStringAsync());
        (await server.FinishedRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("completed");
        reviewer.TrySetCanceled();
    }
}
