using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>A run's events as JSON and as a live SSE stream, including a reconnect with Last-Event-ID.</summary>
public sealed class CrewRunEventsTests(CrewRunsServer fixture) : IClassFixture<CrewRunsServer>
{
    [Fact]
    public async Task Events_AsJson_AreInOrderFromAfter()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var id = await user.Client.RunCrewAsync("research", new JsonObject { ["topic"] = "json" });
        await user.Client.WaitForRunAsync(id, "completed");

        var all = await user.Client.GetArrayAsync($"/api/crew-runs/{id}/events");
        var later = await user.Client.GetArrayAsync($"/api/crew-runs/{id}/events?after=3");

        all.Select(e => e!["sequence"]!.GetValue<long>()).ShouldBe(Enumerable.Range(1, all.Count).Select(i => (long)i));
        all[0]!["type"]!.GetValue<string>().ShouldBe("crew_kickoff_started");
        all[^1]!["type"]!.GetValue<string>().ShouldBe("crew_kickoff_completed");
        all.ShouldAllBe(e => e!["execution_id"]!.GetValue<string>() == id.ToString());
        later.Select(e => e!["sequence"]!.GetValue<long>()).ShouldBe(Enumerable.Range(4, all.Count - 3).Select(i => (long)i));
        (await user.Client.GetAsync($"/api/crew-runs/{id}/events?after=-1")).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Stream_ReconnectingWithLastEventId_MidRun_MissesNothing()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var report = AnswerHold.About(fixture.Server.Simulator, "live Writer");
        using var user = await fixture.NewUserAsync();
        var id = await user.Client.RunCrewAsync("research", new JsonObject { ["topic"] = "live" });

        List<SseEvent> before;
        using (var first = await user.Client.OpenEventStreamAsync(id))
        {
            before = await first.ReadEventsAsync(count: 3);
        }

        // The connection is gone while the run goes on; the client comes back with the last id it saw.
        var (_, midRun) = await user.Client.GetJsonAsync($"/api/crew-runs/{id}");
        midRun["status"]!.GetValue<string>().ShouldBe("running");
        using var second = await user.Client.OpenEventStreamAsync(id, before[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        report.Release();
        var after = await second.ReadEventsAsync();

        before.Select(e => e.Id).ShouldBe([1L, 2L, 3L]);
        var union = before.Concat(after).Select(e => e.Id).ToList();
        union.ShouldBe(Enumerable.Range(1, union.Count).Select(i => (long)i));
        after[^1].Type.ShouldBe("crew_kickoff_completed");
        after[^1].Data["sequence"]!.GetValue<long>().ShouldBe(after[^1].Id);
        var stored = await user.Client.GetArrayAsync($"/api/crew-runs/{id}/events");
        stored.Count.ShouldBe(union.Count);
    }

    [Fact]
    public async Task Stream_OfFinishedRun_SendsEverythingAndEnds()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var id = await user.Client.RunCrewAsync("research", new JsonObject { ["topic"] = "done" });
        await user.Client.WaitForRunAsync(id, "completed");

        using var stream = await user.Client.OpenEventStreamAsync(id);
        var events = await stream.ReadEventsAsync();

        var stored = await user.Client.GetArrayAsync($"/api/crew-runs/{id}/events");
        events.Select(e => e.Type).ShouldBe(stored.Select(e => e!["type"]!.GetValue<string>()));
    }
}
