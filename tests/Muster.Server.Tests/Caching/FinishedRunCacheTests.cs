using System.Net;
using System.Text.Json.Nodes;
using Muster.Server.Tests.CrewRuns;
using Muster.Testing;

namespace Muster.Server.Tests.Caching;

/// <summary>The finished-run cache behind <c>GET /status/{id}</c>, through real HTTP.</summary>
public sealed class FinishedRunCacheTests
{
    private const string GetRun = "GetRunAsync";
    private const string GetTasks = "GetTaskResultsAsync";

    [Fact]
    public async Task FinishedRun_StatusTwice_ReadsTheStoreOnce_AndShowsTheSameBody()
    {
        var calls = new StoreCallCounter();
        await using var server = await StartAsync(calls);
        using var org = server.CreateClient(server.BootstrapToken);
        var id = await KickoffAndFinishAsync(org);
        var runReads = calls.Count(GetRun, id);
        var taskReads = calls.Count(GetTasks, id);

        await ReadCompletedStatusTwiceAsync(org, id);

        (calls.Count(GetRun, id) - runReads).ShouldBe(1);
        (calls.Count(GetTasks, id) - taskReads).ShouldBe(1);
    }

    [Fact]
    public async Task FinishedRunCacheSizeZero_ReadsTheStoreOnEveryStatus()
    {
        var calls = new StoreCallCounter();
        await using var server = await StartAsync(calls, cacheSize: 0);
        using var org = server.CreateClient(server.BootstrapToken);
        var id = await KickoffAndFinishAsync(org);
        var runReads = calls.Count(GetRun, id);

        await ReadCompletedStatusTwiceAsync(org, id);

        (calls.Count(GetRun, id) - runReads).ShouldBe(2);
    }

    [Fact]
    public async Task DeletedRun_StatusAnswers404AtOnce()
    {
        await using var server = await StartAsync(new StoreCallCounter());
        using var org = server.CreateClient(server.BootstrapToken);
        var id = await KickoffAndFinishAsync(org);
        (await org.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await org.DeleteAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var (status, body) = await org.GetJsonAsync($"/status/{id}");
        status.ShouldBe(HttpStatusCode.NotFound, body.ToJsonString());
    }

    [Fact]
    public async Task CachedRun_OfAnotherUser_Answers404()
    {
        await using var server = await StartAsync(new StoreCallCounter());
        using var alice = await CrewRunsServer.NewUserAsync(server);
        using var bob = await CrewRunsServer.NewUserAsync(server);
        using var org = server.CreateClient(server.BootstrapToken);
        var id = await KickoffAndFinishAsync(alice.Client);
        (await alice.Client.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var (status, body) = await bob.Client.GetJsonAsync($"/status/{id}");

        status.ShouldBe(HttpStatusCode.NotFound, body.ToJsonString());
        (await alice.Client.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Reads a finished run's status twice: both complete, with both tasks, and the same body.</summary>
    private static async Task ReadCompletedStatusTwiceAsync(HttpClient org, Guid id)
    {
        var (firstStatus, first) = await org.GetJsonAsync($"/status/{id}");
        var (secondStatus, second) = await org.GetJsonAsync($"/status/{id}");

        firstStatus.ShouldBe(HttpStatusCode.OK);
        secondStatus.ShouldBe(HttpStatusCode.OK);
        first.Is("completed").ShouldBeTrue(first.ToJsonString());
        first["result"]!["tasks"]!.AsArray().Count.ShouldBe(2);
        second.ToJsonString().ShouldBe(first.ToJsonString());
    }

    private static Task<MusterServerFixture> StartAsync(StoreCallCounter calls, int cacheSize = 4096) => MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?> { ["Muster:Execution:FinishedRunCacheSize"] = cacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Services = calls.Register,
    });

    /// <summary>Kicks off a run and waits for it to complete through the history API, which the status cache does not serve.</summary>
    private static async Task<Guid> KickoffAndFinishAsync(HttpClient client)
    {
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "caching" });
        await client.WaitForRunAsync(id, "completed");
        return id;
    }
}
