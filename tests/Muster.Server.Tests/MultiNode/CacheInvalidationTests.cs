using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Server.Tests.CrewRuns;
using Muster.Testing;

namespace Muster.Server.Tests.MultiNode;

/// <summary>
/// Two real server processes on one PostgreSQL database: a token revoked or a run deleted on one node stops being served
/// from the other node's cache as soon as the invalidation arrives, long before the cache entry would expire.
/// </summary>
public sealed class CacheInvalidationTests
{
    // Inside the cache lifetimes (300 s for tokens here, 60 s for finished runs), so only an invalidation can pass, and as
    // generous as they allow for a busy machine.
    private static readonly TimeSpan TokenPatience = Eventually.ProcessLimit;
    private static readonly TimeSpan RunPatience = TimeSpan.FromSeconds(50);

    [PostgresFact]
    public async Task TokenRevokedOnOneNode_IsRefusedOnTheOther()
    {
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path),
            new Dictionary<string, string?> { ["Muster:Auth:TokenCacheSeconds"] = "300" });
        using var org = cluster.Client(0);
        using var created = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "user", ["user_id"] = "u-multinode" });
        var (_, body) = await created.ReadJsonAsync();
        using var onOtherNode = cluster.Nodes[1].CreateClient(body["token"]!.GetValue<string>());
        (await onOtherNode.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await onOtherNode.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await org.DeleteAsync($"/api/tokens/{body["info"]!["id"]!.GetValue<string>()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await EventuallyAsync(onOtherNode, "/inputs", HttpStatusCode.Unauthorized, TokenPatience);
    }

    [PostgresFact]
    public async Task RunDeletedOnOneNode_Answers404OnTheOther()
    {
        await using var cluster = await MultiNodeCluster.StartAsync(2, path => TestCrews.WriteTwoTaskCrew(path));
        using var first = cluster.Client(0);
        using var second = cluster.Client(1);
        var id = await first.KickoffAsync(new JsonObject { ["topic"] = "cached elsewhere" });
        await second.WaitForFinishAsync(id);
        (await second.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await first.DeleteAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await EventuallyAsync(second, $"/status/{id}", HttpStatusCode.NotFound, RunPatience);
    }

    private static Task EventuallyAsync(HttpClient client, string path, HttpStatusCode expected, TimeSpan limit) =>
        Eventually.Until(
            async () =>
            {
                using var response = await client.GetAsync(path);
                return response.StatusCode;
            },
            status => status == expected,
            $"GET {path} never answered {expected}",
            limit);
}
