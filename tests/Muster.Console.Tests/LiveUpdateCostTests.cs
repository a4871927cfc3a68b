using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Console.Tests;

/// <summary>What open pages cost the store: however many show a run, the run is read as if one did.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class LiveUpdateCostTests(ConsoleServer console)
{
    private const int Pages = 200;

    [Fact]
    public async Task TwoHundredOpenPagesOfARun_CostTheStoreNoReadPerPagePerEvent()
    {
        var topic = "crowd-" + Guid.NewGuid().ToString("N")[..8];
        using var hold = AnswerHold.About(console.Server.Simulator, topic);
        var runId = await console.KickoffAsync("research", new JsonObject { ["topic"] = topic });
        await hold.WaitForCallAsync();
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "muster_session");
        using var viewer = new HttpClient { BaseAddress = console.Server.BaseAddress, Timeout = Eventually.ProcessLimit };
        viewer.DefaultRequestHeaders.Add("Cookie", $"{session.Name}={session.Value}");

        // Every page's stream is open (its first snapshot read) before the run moves on.
        var streams = await Task.WhenAll(Enumerable.Range(0, Pages).Select(_ => OpenAsync(viewer, runId)));
        var before = console.Store.Reads(runId);
        hold.Release();
        var updates = await Task.WhenAll(streams.Select(ReadToEndAsync));
        var reads = console.Store.Reads(runId) - before;

        // Each page saw the run finish, through several updates.
        updates.ShouldAllBe(u => u.Runs >= 2 && u.Ended);
        // A page reading for itself would cost at least one read per page per update: 200 × 2 and more.
        reads.ShouldBeLessThan(Pages, $"{reads} reads of the run for {Pages} pages and {updates.Min(u => u.Runs)}+ updates each");
        foreach (var stream in streams)
        {
            stream.Dispose();
        }
    }

    private static async Task<StreamReader> OpenAsync(HttpClient viewer, Guid runId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/ui/live/runs/{runId:N}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await viewer.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The first snapshot: the run as it stands.
        while (await reader.ReadLineAsync() is { } line && line != "event: run")
        {
        }

        return reader;
    }

    private static async Task<(int Runs, bool Ended)> ReadToEndAsync(StreamReader reader)
    {
        var runs = 1;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line == "event: run")
            {
                runs++;
            }
            else if (line == "event: end")
            {
                return (runs, true);
            }
        }

        return (runs, false);
    }
}
