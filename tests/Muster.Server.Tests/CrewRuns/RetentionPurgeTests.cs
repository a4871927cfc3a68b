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
            // About 0.9 seconds after a run finished, checked every 100 ms: short enough for a test. The test does not need
            // to see the run before it goes: only finished runs are purged, so its 404 says it finished.
            ["Muster:Retention:Days"] = "0.00001",
            ["Muster:Retention:Interval"] = "00:00:00.100",
        },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task FinishedRun_OlderThanRetention_IsPurged_WhileRunningRunStays()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        using var slow = AnswerHold.About(_server.Simulator, "slow Researcher");
        var finished = await client.RunCrewAsync("research", new JsonObject { ["topic"] = "old" });
        var running = await client.RunCrewAsync("research", new JsonObject { ["topic"] = "slow" });

        await Eventually.Until(
            async () =>
            {
                using var response = await client.GetAsync($"/api/crew-runs/{finished}");
                return response.StatusCode == HttpStatusCode.NotFound;
            },
            "the finished run was never purged");

        (await client.GetAsync($"/api/crew-runs/{running}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
