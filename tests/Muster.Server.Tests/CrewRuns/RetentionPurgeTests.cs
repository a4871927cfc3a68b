using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary><c>Muster:Retention</c> on a real server: finished runs past the age are purged; others stay.</summary>
public sealed class RetentionPurgeTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?>
        {
            // About 0.9 seconds, checked every 100 ms: long enough to see the run finished, short enough for a test.
            ["Muster:Retention:Days"] = "0.00001",
            ["Muster:Retention:Interval"] = "00:00:00.100",
        },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task FinishedRun_OlderThanRetention_IsPurged_WhileRunningRunStays()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        var finished = await client.RunCrewAsync("research", new JsonObject { ["topic"] = "old" });
        await client.WaitForRunAsync(finished, "completed");
        _server.Simulator.Latency = TimeSpan.FromSeconds(5);
        var running = await client.RunCrewAsync("research", new JsonObject { ["topic"] = "slow" });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await client.GetAsync($"/api/crew-runs/{finished}")).StatusCode != HttpStatusCode.NotFound)
        {
            (DateTime.UtcNow < deadline).ShouldBeTrue("the finished run was never purged");
            await Task.Delay(100);
        }

        (await client.GetAsync($"/api/crew-runs/{running}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
