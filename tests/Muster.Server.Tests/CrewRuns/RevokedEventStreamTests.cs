using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>A run's live event stream ends when the token that opened it is revoked, and cannot be opened again.</summary>
public sealed class RevokedEventStreamTests(CrewRunsServer fixture) : IClassFixture<CrewRunsServer>
{
    [Fact]
    public async Task RevokingTheToken_EndsItsOpenEventStream_BeforeTheRunEnds()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        var topic = "revoked-" + Guid.NewGuid().ToString("N")[..8];
        using var hold = AnswerHold.About(fixture.Server.Simulator, topic);
        using var org = fixture.Server.CreateClient(fixture.Server.BootstrapToken);
        using var created = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "user", ["user_id"] = "u-" + topic });
        var (_, token) = await created.ReadJsonAsync();
        using var user = fixture.Server.CreateClient(token["token"]!.GetValue<string>());
        var id = await user.RunCrewAsync("research", new JsonObject { ["topic"] = topic });
        await hold.WaitForCallAsync();
        using var stream = await user.OpenEventStreamAsync(id);
        var reading = stream.ReadEventsAsync();

        (await org.DeleteAsync($"/api/tokens/{token["info"]!["id"]!.GetValue<string>()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var events = await reading.WaitAsync(Eventually.ProcessLimit);

        // The run is still held at its first LLM call: the stream ended because of the revocation, not the run.
        events.ShouldNotContain(e => e.Type == "crew_kickoff_completed");
        (await org.GetJsonAsync($"/api/crew-runs/{id}")).Body["status"]!.GetValue<string>().ShouldBe("running");
        (await user.GetAsync($"/api/crew-runs/{id}/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        hold.Release();
        await org.WaitForRunAsync(id, "completed");
    }
}
