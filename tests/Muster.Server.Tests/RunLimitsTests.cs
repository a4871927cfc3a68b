using System.Net;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// <c>Muster:Limits:MaxRunBytes</c>: a kickoff whose inputs alone pass it answers 413 and stores nothing; a run whose output
/// would pass it fails, with every event it stored readable and its tasks ended.
/// </summary>
public sealed class RunLimitsTests : IAsyncLifetime
{
    private const int Limit = 64 * 1024;
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?> { ["Muster:Limits:MaxRunBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/kickoff")]
    [InlineData("/api/crews/run")]
    public async Task Kickoff_WithInputsOverTheLimit_Answers413AndStoresNothing(string path)
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        var topic = new string('x', Limit);
        var body = path == "/kickoff"
            ? new JsonObject { ["inputs"] = new JsonObject { ["topic"] = topic } }
            : new JsonObject { ["crew_type"] = "research", ["task_input"] = new JsonObject { ["topic"] = topic } };

        using var response = await client.PostRawAsync(path, body.ToJsonString(), "application/json");
        var (status, error) = await response.ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.RequestEntityTooLarge, error.ToJsonString());
        error["error"]!.GetValue<string>().ShouldBe("Payload Too Large");
        error["message"]!.GetValue<string>().ShouldContain("Muster:Limits:MaxRunBytes");
        (await client.GetStringAsync("/api/crew-runs")).ShouldBe("[]");
    }

    [Fact]
    public async Task Run_WhoseOutputWouldPassTheLimit_FailsWithTheReason_AndEverythingItStoredReadsBack()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        _server.Simulator.Enqueue(SimulatedReply.Text(new string('y', Limit)));

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "floods" });
        var done = await client.WaitForFinishAsync(id);

        done["status"]!.GetValue<string>().ShouldBe("error", done.ToJsonString());
        var (code, run) = await client.GetJsonAsync($"/api/crew-runs/{id}");
        code.ShouldBe(HttpStatusCode.OK);
        run["status"]!.GetValue<string>().ShouldBe("failed");
        run["error"]!.GetValue<string>().ShouldContain("Muster:Limits:MaxRunBytes");
        var events = JsonNode.Parse(await client.GetStringAsync($"/api/crew-runs/{id}/events"))!.AsArray();
        var types = events.Select(e => e!["type"]!.GetValue<string>()).ToList();
        types[^1].ShouldBe("crew_kickoff_failed");
        types.Count(t => t == "task_started").ShouldBe(types.Count(t => t is "task_failed" or "task_completed"));
        var recorded = events.Sum(e => (long)e!["data"]!.ToJsonString().Length);
        recorded.ShouldBeLessThan(Limit, "the answer that would pass the limit was never recorded");
    }
}
