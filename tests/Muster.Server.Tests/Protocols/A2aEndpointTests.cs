using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>A2A's JSON-RPC endpoint and agent cards over raw HTTP: bad input gets JSON-RPC errors, never a 500.</summary>
public sealed class A2aEndpointTests
{
    private static async Task<JsonObject> RpcAsync(HttpClient http, string body, string path = "/crews/research/a2a", string? version = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (version is not null)
        {
            request.Headers.Add("A2A-Version", version);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static int? Code(JsonObject response) => response["error"]?["code"]?.GetValue<int>();

    [Fact]
    public async Task MalformedJson_IsAParseError()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var http = server.CreateClient(server.BootstrapToken);

        var response = await RpcAsync(http, "{\"jsonrpc\": \"2.0\", \"method\": ");

        Code(response).ShouldBe(-32700);
    }

    [Fact]
    public async Task ARequestWithoutJsonRpcOrMethod_IsAnInvalidRequest()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var http = server.CreateClient(server.BootstrapToken);

        Code(await RpcAsync(http, """{"id": 1, "method": "SendMessage"}""")).ShouldBe(-32600);
        Code(await RpcAsync(http, """[1, 2]""")).ShouldBe(-32600);
    }

    [Fact]
    public async Task AnUnknownMethod_IsMethodNotFound_AndV03NamesNeedNoVersionOr03()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var http = server.CreateClient(server.BootstrapToken);

        Code(await RpcAsync(http, """{"jsonrpc": "2.0", "id": 1, "method": "tasks/explode", "params": {}}""")).ShouldBe(-32601);
        var v1 = await RpcAsync(http, """{"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": "x"}}""", version: "1.0");
        Code(v1).ShouldBe(-32601);
        v1["error"]!["message"]!.GetValue<string>().ShouldContain("GetTask");
        Code(await RpcAsync(http, """{"jsonrpc": "2.0", "id": 3, "method": "tasks/get", "params": {"id": "x"}}""", version: "0.3")).ShouldBe(-32001);
    }

    [Fact]
    public async Task UnknownTaskIds_AndAnotherUsersTask_AreTaskNotFound()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var org = server.CreateClient(server.BootstrapToken);
        using var alice = server.CreateClient(await org.CreateTokenAsync("user", "alice"));
        using var bob = server.CreateClient(await org.CreateTokenAsync("user", "bob"));
        var sent = await RpcAsync(alice, """{"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": {"messageId": "m1", "role": "ROLE_USER", "parts": [{"data": {"topic": "alice's tides"}}]}}}""");
        var taskId = sent["result"]!["task"]!["id"]!.GetValue<string>();

        Code(await RpcAsync(bob, $$$"""{"jsonrpc": "2.0", "id": 2, "method": "GetTask", "params": {"id": "{{{taskId}}}"}}""")).ShouldBe(-32001);
        Code(await RpcAsync(bob, $$$"""{"jsonrpc": "2.0", "id": 3, "method": "CancelTask", "params": {"id": "{{{taskId}}}"}}""")).ShouldBe(-32001);
        var answer = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 4, ["method"] = "SendMessage", ["params"] = new JsonObject { ["message"] = new JsonObject { ["messageId"] = "m2", ["role"] = "ROLE_USER", ["taskId"] = taskId, ["parts"] = new JsonArray(new JsonObject { ["text"] = "approve" }) } } };
        Code(await RpcAsync(bob, answer.ToJsonString())).ShouldBe(-32001);
        Code(await RpcAsync(alice, $$$"""{"jsonrpc": "2.0", "id": 5, "method": "GetTask", "params": {"id": "{{{Guid.NewGuid()}}}"}}""")).ShouldBe(-32001);
        Code(await RpcAsync(alice, """{"jsonrpc": "2.0", "id": 6, "method": "GetTask", "params": {"id": "not-a-uuid"}}""")).ShouldBe(-32001);
        Code(await RpcAsync(alice, $$$"""{"jsonrpc": "2.0", "id": 7, "method": "GetTask", "params": {"id": "{{{taskId}}}"}}""", "/crews/support/a2a")).ShouldBe(-32001);
    }

    [Fact]
    public async Task InputsThatDoNotFitTheCrew_AreInvalidParams_AndStoreNoRun()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var http = server.CreateClient(server.BootstrapToken);

        var missing = await RpcAsync(http, """{"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": {"messageId": "m1", "role": "ROLE_USER", "parts": [{"data": {"subject": "tides"}}]}}}""");
        var noMessage = await RpcAsync(http, """{"jsonrpc": "2.0", "id": 2, "method": "SendMessage", "params": {}}""");

        Code(missing).ShouldBe(-32602);
        missing["error"]!["message"]!.GetValue<string>().ShouldContain("topic");
        Code(noMessage).ShouldBe(-32602);
        (await http.GetStringAsync("/api/crew-runs")).ShouldBe("[]");
    }

    [Fact]
    public async Task AgentCards_UseTheRequestsHostOrPublicBaseUrl_AndNeedAToken()
    {
        await using var server = await ProtocolServer.StartAsync(new Dictionary<string, string?> { ["Muster:PublicBaseUrl"] = "https://crews.example.com/" });
        using var http = server.CreateClient(server.BootstrapToken);
        using var anonymous = server.CreateClient();

        var card = JsonNode.Parse(await http.GetStringAsync("/crews/support/.well-known/agent-card.json"))!;
        var root = JsonNode.Parse(await http.GetStringAsync("/.well-known/agent-card.json"))!;
        using var unknown = await http.GetAsync("/crews/nope/.well-known/agent-card.json");
        using var noToken = await anonymous.GetAsync("/.well-known/agent-card.json");

        card["supportedInterfaces"]![0]!["url"]!.GetValue<string>().ShouldBe("https://crews.example.com/crews/support/a2a");
        card["supportedInterfaces"]!.AsArray().Select(i => i!["protocolVersion"]!.GetValue<string>()).ShouldBe(["1.0", "0.3"]);
        card["skills"]![0]!["id"]!.GetValue<string>().ShouldBe("draft_reply");
        root["name"]!.GetValue<string>().ShouldBe("research");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        noToken.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ATaskStartedOverA2a_IsStoppedByAmpStop_AndShowsCanceled()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var hold = AnswerHold.About(server.Simulator, "amp-stopped tides");
        using var http = server.CreateClient(server.BootstrapToken);
        var sent = await RpcAsync(http, """{"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"configuration": {"returnImmediately": true}, "message": {"messageId": "m1", "role": "ROLE_USER", "parts": [{"data": {"topic": "amp-stopped tides"}}]}}}""");
        var taskId = sent["result"]!["task"]!["id"]!.GetValue<string>();
        await hold.WaitForCallAsync();

        using var stop = await http.PostAsync($"/stop/{taskId}", null);
        stop.StatusCode.ShouldBe(HttpStatusCode.OK);

        var task = await Eventually.Until(
            () => RpcAsync(http, $$$"""{"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": "{{{taskId}}}"}}"""),
            r => r["result"]?["status"]?["state"]?.GetValue<string>() == "canceled",
            "the task never showed canceled");
        task["result"]!["kind"]!.GetValue<string>().ShouldBe("task");
    }
}
