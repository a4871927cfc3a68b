using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>AG-UI streams whose token is revoked end with RUN_ERROR; the thread's run goes on.</summary>
public sealed class AgUiRevokedStreamTests
{
    [Fact]
    public async Task RevokingTheToken_EndsItsStreamsWithRunErrorTokenRevoked_AndTheRunGoesOnToComplete()
    {
        await using var server = await ProtocolServer.StartAsync();
        using var hold = AnswerHold.About(server.Simulator, "revoked agui tides");
        using var org = server.CreateClient(server.BootstrapToken);
        var (token, tokenId) = await org.CreateUserTokenAsync("alice");
        using var alice = server.CreateClient(token);
        var threadId = Guid.NewGuid();
        var input = new JsonObject
        {
            ["threadId"] = threadId.ToString(),
            ["runId"] = "r1",
            ["messages"] = new JsonArray(),
            ["forwardedProps"] = new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "revoked agui tides" } },
        };

        using var started = await alice.PostForStreamAsync("/crews/research/agui", input);
        var first = started.ReadDataUntilEndAsync();
        await hold.WaitForCallAsync();
        using var reconnected = await alice.PostForStreamAsync("/crews/research/agui", new JsonObject { ["threadId"] = threadId.ToString(), ["runId"] = "r2", ["messages"] = new JsonArray() });
        var second = reconnected.ReadDataUntilEndAsync();

        await org.RevokeTokenAsync(tokenId);

        foreach (var events in new[] { await first.WaitAsync(Eventually.ProcessLimit), await second.WaitAsync(Eventually.ProcessLimit) })
        {
            events[0]["type"]!.GetValue<string>().ShouldBe("RUN_STARTED");
            events[^1]["type"]!.GetValue<string>().ShouldBe("RUN_ERROR", events[^1].ToJsonString());
            events[^1]["code"]!.GetValue<string>().ShouldBe("TOKEN_REVOKED");
            events[^1]["message"]!.GetValue<string>().ShouldContain("revoked");
            events.ShouldNotContain(e => e["type"]!.GetValue<string>() == "RUN_FINISHED");
        }

        (await server.RunRecordAsync(threadId))["status"]!.GetValue<string>().ShouldBe("running");
        using var again = await alice.PostAsync("/crews/research/agui", new StringContent(input.ToJsonString(), Encoding.UTF8, "application/json"));
        again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        hold.Release();
        (await server.FinishedRecordAsync(threadId))["status"]!.GetValue<string>().ShouldBe("completed");
    }
}
