using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Server.Tests.CrewRuns;
using Muster.Server.Tests.Protocols;
using Muster.Testing;

namespace Muster.Server.Tests.MultiNode;

/// <summary>Two real server processes on one PostgreSQL database: a token revoked on one node ends its protocol streams on the other.</summary>
public sealed class RevokedProtocolStreamsAcrossNodesTests
{
    [PostgresFact]
    public async Task TokenRevokedOnOneNode_EndsItsAgUiAndA2aStreamsOnTheOther_AndTheRunGoesOnToComplete()
    {
        // Principals cached for long: without the revocation's notification, the other node would accept the token on.
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path),
            new Dictionary<string, string?> { ["Muster:Auth:TokenCacheSeconds"] = "300" });
        using var hold = AnswerHold.About(cluster.Simulator, "revoked cluster tides");
        using var org = cluster.Client(0);
        var (token, tokenId) = await org.CreateUserTokenAsync("alice");
        using var onOtherNode = cluster.Nodes[1].CreateClient(token);
        var threadId = Guid.NewGuid();
        var input = new JsonObject
        {
            ["threadId"] = threadId.ToString(),
            ["runId"] = "r1",
            ["messages"] = new JsonArray(),
            ["forwardedProps"] = new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "revoked cluster tides" } },
        };
        using var agUi = await onOtherNode.PostForStreamAsync("/crews/research/agui", input);
        var agUiEvents = agUi.ReadDataUntilEndAsync();
        await hold.WaitForCallAsync();
        var subscribe = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "SubscribeToTask", ["params"] = new JsonObject { ["id"] = threadId.ToString() } };
        using var a2a = await onOtherNode.PostForStreamAsync("/crews/research/a2a", subscribe, a2aVersion: "1.0");
        var a2aFrames = a2a.ReadDataUntilEndAsync();

        await org.RevokeTokenAsync(tokenId);
        var events = await agUiEvents.WaitAsync(Eventually.ProcessLimit);
        var frames = await a2aFrames.WaitAsync(Eventually.ProcessLimit);

        events[^1]["code"]?.GetValue<string>().ShouldBe("TOKEN_REVOKED", events[^1].ToJsonString());
        frames[^1]["error"]?["code"]?.GetValue<int>().ShouldBe(-32600, frames[^1].ToJsonString());
        (await org.GetJsonAsync($"/api/crew-runs/{threadId}")).Body["status"]!.GetValue<string>().ShouldBe("running");
        using var again = await onOtherNode.PostAsync("/crews/research/agui", new StringContent(input.ToJsonString(), Encoding.UTF8, "application/json"));
        again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        hold.Release();
        await org.WaitForRunAsync(threadId, "completed");
    }
}
