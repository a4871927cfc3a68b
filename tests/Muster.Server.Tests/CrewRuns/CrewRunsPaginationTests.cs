using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>Cursor pages neither skip nor repeat runs, even while new runs are being created.</summary>
public sealed class CrewRunsPaginationTests(CrewRunsServer fixture) : IClassFixture<CrewRunsServer>
{
    private static async Task<(List<Guid> Ids, string? Cursor, string? Link)> PageAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var ids = JsonNode.Parse(text)!.AsArray().Select(run => Guid.Parse(run!["id"]!.GetValue<string>())).ToList();
        var cursor = response.Headers.TryGetValues("X-Next-Cursor", out var cursors) ? cursors.Single() : null;
        var link = response.Headers.TryGetValues("Link", out var links) ? links.Single() : null;
        return (ids, cursor, link);
    }

    [Fact]
    public async Task Pages_WhileRunsAreCreated_NeitherSkipNorRepeat()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var existing = new List<Guid>();
        for (var i = 0; i < 23; i++)
        {
            existing.Add(await user.Client.RunCrewAsync("research", new JsonObject { ["topic"] = $"page {i}" }));
        }

        using var creating = new CancellationTokenSource();
        var created = new List<Guid>();
        var creator = Task.Run(async () =>
        {
            while (!creating.IsCancellationRequested)
            {
                created.Add(await user.Client.RunCrewAsync("notes", new JsonObject { ["topic"] = "meanwhile" }));
            }
        });

        var seen = new List<Guid>();
        var (ids, cursor, link) = await PageAsync(user.Client, "/api/crew-runs?limit=4");
        seen.AddRange(ids);
        var pages = 1;
        while (cursor is { } next)
        {
            link.ShouldNotBeNull().ShouldEndWith("rel=\"next\"");
            link.ShouldContain("limit=4");
            // A run is surely created between this page and the next, however the machine schedules the two.
            var before = created.Count;
            await Eventually.Until(() => created.Count > before || creator.IsCompleted, "no run was created between two pages");
            (ids, cursor, link) = await PageAsync(user.Client, $"/api/crew-runs?limit=4&cursor={Uri.EscapeDataString(next)}");
            ids.Count.ShouldBeLessThanOrEqualTo(4);
            seen.AddRange(ids);
            pages++;
        }

        await creating.CancelAsync();
        await creator;

        pages.ShouldBeGreaterThanOrEqualTo(6);
        seen.Count.ShouldBe(seen.Distinct().Count());
        existing.ShouldBeSubsetOf(seen);
        seen.ShouldBeSubsetOf(existing.Concat(created));
    }

    [Fact]
    public async Task LinkHeader_LeadsToTheSamePageAsTheCursor()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await user.Client.RunCrewAsync("research", new JsonObject { ["topic"] = $"link {i}" }));
        }

        var (first, cursor, link) = await PageAsync(user.Client, "/api/crew-runs?limit=2&crew_type=research");
        var target = link.ShouldNotBeNull()[1..link.IndexOf('>', StringComparison.Ordinal)];
        var (viaLink, _, _) = await PageAsync(user.Client, target);
        var (viaCursor, lastCursor, _) = await PageAsync(user.Client, $"/api/crew-runs?limit=2&crew_type=research&cursor={Uri.EscapeDataString(cursor!)}");

        first.ShouldBe([ids[2], ids[1]]);
        viaLink.ShouldBe([ids[0]]);
        viaCursor.ShouldBe([ids[0]]);
        lastCursor.ShouldBeNull();
    }
}
