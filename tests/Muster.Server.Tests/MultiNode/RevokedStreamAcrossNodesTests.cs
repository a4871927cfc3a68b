using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Server.Tests.CrewRuns;
using Muster.Testing;

namespace Muster.Server.Tests.MultiNode;

/// <summary>Two real server processes on one PostgreSQL database: a token revoked on one node ends its live stream on the other.</summary>
public sealed class RevokedStreamAcrossNodesTests
{
    [PostgresFact]
    public async Task TokenRevokedOnOneNode_EndsItsEventStreamOnTheOther()
    {
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path),
            new Dictionary<string, string?> { ["Muster:Auth:TokenCacheSeconds"] = "300" });
        var topic = "revoked-" + Guid.NewGuid().ToString("N")[..8];
        using var hold = AnswerHold.About(cluster.Simulator, topic);
        using var org = cluster.Client(0);
        using var created = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "user", ["user_id"] = "u-" + topic });
        var (_, token) = await created.ReadJsonAsync();
        using var onOtherNode = cluster.Nodes[1].CreateClient(token["token"]!.GetValue<string>());
        var id = await onOtherNode.RunCrewAsync("research", new JsonObject { ["topic"] = topic });
        await hold.WaitForCallAsync();
        using var stream = await onOtherNode.OpenEventStreamAsync(id);
        var reading = stream.ReadEventsAsync();

        (await org.DeleteAsync($"/api/tokens/{token["info"]!["id"]!.GetValue<string>()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var events = await reading.WaitAsync(Eventually.ProcessLimit);

        events.ShouldNotContain(e => e.Type == "crew_kickoff_completed");
        (await org.GetJsonAsync($"/api/crew-runs/{id}")).Body["status"]!.GetValue<string>().ShouldBe("running");
        hold.Release();
    }
}
