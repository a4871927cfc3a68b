using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>A2A calls still open when their token is revoked end with a JSON-RPC error; their tasks go on.</summary>
public sealed class A2aRevokedStreamTests
{
    private static JsonObject Rpc(int id, string method, JsonObject parameters) =>
        new() { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };

    private static JsonObject Message(string topic) => new()
    {
        ["message"] = new JsonObject
        {
            ["messageId"] = Guid.NewGuid().ToString(),
            ["role"] = "ROLE_USER",
            ["parts"] = new JsonArray(new JsonObject { ["data"] = new JsonObject { ["topic"] = topic } }),
        },
    };

    private static void ShouldEndWithRevocation(JsonObject last)
    {
        last["error"]?["code"]?.GetValue<int>().ShouldBe(-32600, last.ToJsonString());
        last["error"]!["message"]!.GetValue<string>().ShouldContain("revoked");
    }

    [Fact]
    public async Task RevokingTheToken_EndsItsStreamsAndBlockingSend_WithAJsonRpcError_AndTheTasksGoOnToComplete()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var hold = AnswerHold.About(server.Simulator, "revoked tides");
        using var org = server.CreateClient(server.BootstrapToken);
        var (token, tokenId) = await org.CreateUserTokenAsync("alice");
        using var alice = server.CreateClient(token);

        using var streamed = await alice.PostForStreamAsync("/crews/research/a2a", Rpc(1, "SendStreamingMessage", Message("revoked tides")), a2aVersion: "1.0");
        var streaming = streamed.ReadDataUntilEndAsync();
        await hold.WaitForCallAsync();
        var taskId = JsonDocument.Parse(await org.GetStringAsync("/api/crew-runs")).RootElement[0].GetProperty("id").GetString()!;
        using var resubscribed = await alice.PostForStreamAsync("/crews/research/a2a", Rpc(2, "tasks/resubscribe", new JsonObject { ["id"] = taskId }));
        var resubscribing = resubscribed.ReadDataUntilEndAsync();
        var blocking = alice.PostAsync("/crews/research/a2a", new StringContent(Rpc(3, "message/send", Message("second revoked tides")).ToJsonString(), Encoding.UTF8, "application/json"));
        await Eventually.Until(() => hold.Calls >= 2, "the blocking message's run never reached the simulator");

        await org.RevokeTokenAsync(tokenId);
        var streamFrames = await streaming.WaitAsync(Eventually.ProcessLimit);
        var resubscribeFrames = await resubscribing.WaitAsync(Eventually.ProcessLimit);
        using var blocked = await blocking.WaitAsync(Eventually.ProcessLimit);

        ShouldEndWithRevocation(streamFrames[^1]);
        ShouldEndWithRevocation(resubscribeFrames[^1]);
        ShouldEndWithRevocation(JsonNode.Parse(await blocked.Content.ReadAsStringAsync())!.AsObject());
        streamFrames.Count.ShouldBeGreaterThan(1);
        resubscribeFrames.Count.ShouldBeGreaterThan(1);
        streamFrames[..^1].Concat(resubscribeFrames[..^1]).ShouldAllBe(frame => frame["result"] != null);
        var runIds = JsonDocument.Parse(await org.GetStringAsync("/api/crew-runs")).RootElement.EnumerateArray().Select(run => Guid.Parse(run.GetProperty("id").GetString()!)).ToList();
        runIds.Count.ShouldBe(2);
        foreach (var runId in runIds)
        {
            (await server.RunRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("running");
        }

        using var again = await alice.PostAsync("/crews/research/a2a", new StringContent(Rpc(4, "GetTask", new JsonObject { ["id"] = taskId }).ToJsonString(), Encoding.UTF8, "application/json"));
        again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        hold.Release();
        foreach (var runId in runIds)
        {
            (await server.FinishedRecordAsync(runId))["status"]!.GetValue<string>().ShouldBe("completed");
        }
    }
}
