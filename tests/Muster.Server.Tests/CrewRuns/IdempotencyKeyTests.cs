using System.Net;
using System.Text.Json.Nodes;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>An Idempotency-Key answers the run it first started only for the same crew and body; reused otherwise, it is a 422.</summary>
public sealed class IdempotencyKeyTests(CrewRunsServer fixture) : IClassFixture<CrewRunsServer>
{
    private static JsonObject Topic(string topic) => new() { ["topic"] = topic };

    [Fact]
    public async Task Kickoff_WithAKeyAnotherCrewUsed_Answers422AndTheFirstRunStaysItsCrews()
    {
        using var user = await fixture.NewUserAsync();
        var key = Guid.NewGuid().ToString();
        var first = await user.Client.KickoffAsync(Topic("tides"), "/crews/research", key);

        using var other = await user.Client.PostKickoffAsync(new JsonObject { ["inputs"] = Topic("tides") }, "/crews/notes", key);
        var (status, body) = await other.ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        body["error"]!.GetValue<string>().ShouldBe("Validation Error");
        body["details"]!["Idempotency-Key"]!.GetValue<string>().ShouldContain("another crew");
        body.ToJsonString().ShouldNotContain(first.ToString());
        (await user.Client.KickoffAsync(Topic("tides"), "/crews/research", key)).ShouldBe(first);
        (await user.Client.GetAsync($"/crews/research/status/{first}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await user.Client.ListIdsAsync()).ShouldBe([first]);
    }

    [Fact]
    public async Task Kickoff_WithAKeyAndAnotherBody_Answers422()
    {
        using var user = await fixture.NewUserAsync();
        var key = Guid.NewGuid().ToString();
        var first = await user.Client.KickoffAsync(Topic("tides"), "/crews/research", key);

        using var otherInputs = await user.Client.PostKickoffAsync(new JsonObject { ["inputs"] = Topic("waves") }, "/crews/research", key);
        using var otherMeta = await user.Client.PostKickoffAsync(new JsonObject { ["inputs"] = Topic("tides"), ["meta"] = new JsonObject { ["a"] = 1 } }, "/crews/research", key);

        otherInputs.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        otherMeta.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await user.Client.ListIdsAsync()).ShouldBe([first]);
    }

    [Fact]
    public async Task RunCrew_WithAKeyAnotherCrewUsed_Answers422WithTheHeaderAsTheField()
    {
        using var user = await fixture.NewUserAsync();
        var key = Guid.NewGuid().ToString();
        var first = await user.Client.KickoffAsync(Topic("tides"), "/crews/research", key);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/crews/run")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new JsonObject { ["crew_type"] = "notes", ["task_input"] = Topic("tides") }),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await user.Client.SendAsync(request);

        (await response.ReadErrorPathsAsync()).ShouldBe(["headers.idempotency-key"]);
        (await user.Client.ListIdsAsync()).ShouldBe([first]);
    }

    [Fact]
    public async Task AKeyLongerThan255Characters_IsRefusedByEachKickoffRouteInItsOwnBody_AndOneOf255IsTaken()
    {
        using var user = await fixture.NewUserAsync();
        var tooLong = new string('k', 256);

        using var kickoff = await user.Client.PostKickoffAsync(new JsonObject { ["inputs"] = Topic("tides") }, "/crews/research", tooLong);
        using var runCrew = await KeyedRunCrewAsync(user.Client, tooLong);

        kickoff.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await kickoff.Content.ReadAsStringAsync()).ShouldBe("""{"error":"Bad Request","message":"The Idempotency-Key header must be at most 255 characters."}""");
        runCrew.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await runCrew.ReadErrorPathsAsync()).ShouldBe(["headers.idempotency-key"]);
        (await user.Client.ListIdsAsync()).ShouldBeEmpty();

        var key = new string('k', 255);
        var first = await user.Client.KickoffAsync(Topic("tides"), "/crews/research", key);
        (await user.Client.KickoffAsync(Topic("tides"), "/crews/research", key)).ShouldBe(first);
    }

    private static async Task<HttpResponseMessage> KeyedRunCrewAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/crews/run")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new JsonObject { ["crew_type"] = "research", ["task_input"] = Topic("tides") }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }
}
