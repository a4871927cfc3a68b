using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>The history API through real HTTP: records, filters, ownership, deletion, correlation ids.</summary>
public sealed class CrewRunsApiTests(CrewRunsServer fixture) : IClassFixture<CrewRunsServer>
{
    private static JsonObject Topic(string topic) => new() { ["topic"] = topic };

    [Fact]
    public async Task Get_CompletedRun_HasTheSpecRecord()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var client = user.Client;
        var id = await client.RunCrewAsync("research", Topic("owls"));

        var run = await client.WaitForRunAsync(id, "completed");

        run["id"]!.GetValue<string>().ShouldBe(id.ToString());
        run["owner_id"]!.GetValue<string>().ShouldBe(user.Id);
        run["crew_type"]!.GetValue<string>().ShouldBe("research");
        run["task_input"]!["topic"]!.GetValue<string>().ShouldBe("owls");
        run["result"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        foreach (var field in new[] { "created_at", "started_at", "completed_at" })
        {
            var text = run[field]!.GetValue<string>();
            text.ShouldEndWith("Z");
            DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).Offset.ShouldBe(TimeSpan.Zero);
        }

        var config = run["crew_config"]!;
        config["process"]!.GetValue<string>().ShouldBe("sequential");
        config["agents"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()).ShouldBe(["researcher", "writer"]);
        config["agents"]![0]!["role"]!.GetValue<string>().ShouldBe("owls Researcher");
        config["tasks"]!.AsArray().Select(t => t!["agent_index"]!.GetValue<int>()).ShouldBe([0, 1]);
        run["token_usage"]!["total_tokens"]!.GetValue<long>().ShouldBeGreaterThan(0);
        var tasks = run["tasks"]!.AsArray();
        tasks.Select(t => t!["task"]!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
        tasks.Sum(t => t!["token_usage"]!["total_tokens"]!.GetValue<long>()).ShouldBe(run["token_usage"]!["total_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task AmpKickoff_AppearsInTheHistoryUnderItsKickoffId()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var client = user.Client;

        var id = await client.KickoffAsync(Topic("amp"), "/crews/research");

        (await client.ListIdsAsync()).ShouldBe([id]);
    }

    [Fact]
    public async Task List_FiltersByCrewTypeCorrelationIdAndCreatedRange_NewestFirst()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var client = user.Client;
        var first = await client.RunCrewAsync("research", Topic("a"), correlationId: "corr-first");
        var firstRecord = await client.WaitForRunAsync(first, "completed");
        var firstCreated = DateTimeOffset.Parse(firstRecord["created_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        // The second run must be created in a later millisecond (the store's resolution) than the first.
        await Eventually.Until(() => DateTimeOffset.UtcNow > firstCreated.AddMilliseconds(1), "the clock never passed the first run's creation");
        var second = await client.RunCrewAsync("notes", Topic("b"), correlationId: "corr-second");
        var secondRecord = await client.WaitForRunAsync(second, "completed");
        var secondCreated = DateTimeOffset.Parse(secondRecord["created_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var between = Uri.EscapeDataString((firstCreated + ((secondCreated - firstCreated) / 2)).ToString("O", CultureInfo.InvariantCulture));

        (await client.ListIdsAsync()).ShouldBe([second, first]);
        (await client.ListIdsAsync("?crew_type=research")).ShouldBe([first]);
        (await client.ListIdsAsync("?crew_type=notes")).ShouldBe([second]);
        (await client.ListIdsAsync("?correlation_id=corr-second")).ShouldBe([second]);
        (await client.ListIdsAsync("?correlation_id=nobody")).ShouldBeEmpty();
        (await client.ListIdsAsync($"?created_after={between}")).ShouldBe([second]);
        (await client.ListIdsAsync($"?created_before={between}")).ShouldBe([first]);
        (await client.ListIdsAsync($"?created_after={between}&crew_type=research")).ShouldBeEmpty();
        (await client.ListIdsAsync("?limit=1")).ShouldBe([second]);
    }

    [Fact]
    public async Task List_FiltersByStatus_WithStoppedRunsAsFailed_AndStoppedPicksThemOut()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var client = user.Client;
        var completed = await client.RunCrewAsync("research", Topic("done"));
        await client.WaitForRunAsync(completed, "completed");
        var previous = fixture.Server.Simulator.Responder;
        fixture.Server.Simulator.Responder = request =>
            request.Mentions("refused topic") ? SimulatedReply.Error(400, "The simulated provider refuses this topic") : previous?.Invoke(request);
        var refused = await client.RunCrewAsync("research", Topic("refused topic"));
        var refusedRun = await client.WaitForRunAsync(refused, "failed");
        fixture.Server.Simulator.Responder = previous;
        using var research = AnswerHold.About(fixture.Server.Simulator, " Researcher");
        var running = await client.RunCrewAsync("research", Topic("slow"));
        await client.WaitForRunAsync(running, "running");
        var stopped = await client.RunCrewAsync("research", Topic("stopped"));
        using (var stop = await client.PostAsync($"/crews/research/stop/{stopped}", null))
        {
            stop.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var failed = await client.WaitForRunAsync(stopped, "failed");

        failed["error"]!.GetValue<string>().ShouldStartWith("Stopped by ");
        refusedRun["error"]!.GetValue<string>().ShouldNotStartWith("Stopped by ");
        (await client.ListIdsAsync("?status=completed")).ShouldBe([completed]);
        (await client.ListIdsAsync("?status=running")).ShouldBe([running]);
        (await client.ListIdsAsync("?status=failed")).ShouldBe([stopped, refused]);
        (await client.ListIdsAsync("?status=stopped")).ShouldBe([stopped]);
        (await client.ListIdsAsync("?status=pending")).ShouldBeEmpty();
        using var finish = await client.PostAsync($"/crews/research/stop/{running}", null);
    }

    [Fact]
    public async Task UserTokens_SeeOnlyTheirOwnRuns_OrganizationTokensSeeAll()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var aliceUser = await fixture.NewUserAsync();
        using var bobUser = await fixture.NewUserAsync();
        var (alice, aliceId) = (aliceUser.Client, aliceUser.Id);
        var (bob, bobId) = (bobUser.Client, bobUser.Id);
        using var org = fixture.Org();
        var aliceRun = await alice.RunCrewAsync("research", Topic("alice"));
        var bobRun = await bob.RunCrewAsync("research", Topic("bob"));
        await alice.WaitForRunAsync(aliceRun, "completed");
        await bob.WaitForRunAsync(bobRun, "completed");

        (await alice.ListIdsAsync()).ShouldBe([aliceRun]);
        (await alice.ListIdsAsync($"?owner_id={bobId}")).ShouldBe([aliceRun]);
        (await bob.GetAsync($"/api/crew-runs/{aliceRun}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await bob.GetAsync($"/api/crew-runs/{aliceRun}/events")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await bob.DeleteAsync($"/api/crew-runs/{aliceRun}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var all = await org.ListIdsAsync("?limit=1000");
        all.ShouldContain(aliceRun);
        all.ShouldContain(bobRun);
        (await org.ListIdsAsync($"?owner_id={aliceId}")).ShouldBe([aliceRun]);
        (await org.GetAsync($"/api/crew-runs/{bobRun}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OrganizationToken_LimitedToACrew_SeesOnlyThatCrewsRuns()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        using var org = fixture.Org();
        using var limited = fixture.Server.CreateClient(await org.CreateTokenAsync("org", null, "notes"));
        var research = await user.Client.RunCrewAsync("research", Topic("hidden"));
        var notes = await user.Client.RunCrewAsync("notes", Topic("shown"));
        await user.Client.WaitForRunAsync(notes, "completed");

        var visible = await limited.ListIdsAsync($"?owner_id={user.Id}");

        visible.ShouldBe([notes]);
        (await limited.ListIdsAsync($"?owner_id={user.Id}&crew_type=research")).ShouldBeEmpty();
        (await limited.GetAsync($"/api/crew-runs/{research}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await limited.GetAsync($"/api/crew-runs/{notes}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_RunningRunIs409_FinishedRunIsGone()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var research = AnswerHold.About(fixture.Server.Simulator, "delete Researcher");
        using var user = await fixture.NewUserAsync();
        var client = user.Client;
        var id = await client.RunCrewAsync("research", Topic("delete"));
        await client.WaitForRunAsync(id, "running");

        using var refused = await client.DeleteAsync($"/api/crew-runs/{id}");
        var (status, body) = await refused.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.Conflict);
        body["error"]!.GetValue<string>().ShouldBe("Conflict");
        body["message"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();

        research.Release();
        await client.WaitForRunAsync(id, "completed");
        (await client.DeleteAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.GetAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.ListIdsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task CorrelationId_IsHonouredOnCreationAndEchoed()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var client = user.Client;

        using var given = await client.PostJsonAsync("/api/crews/run", new JsonObject { ["crew_type"] = "research", ["task_input"] = Topic("c") }, "trace-42");
        var (_, givenBody) = await given.ReadJsonAsync();
        given.Headers.GetValues(CrewRunsCalls.CorrelationHeader).ShouldBe(["trace-42"]);
        givenBody["correlation_id"]!.GetValue<string>().ShouldBe("trace-42");
        givenBody["status"]!.GetValue<string>().ShouldBe("pending");

        using var generated = await client.PostJsonAsync("/api/crews/run", new JsonObject { ["crew_type"] = "research", ["task_input"] = Topic("d") });
        var (_, generatedBody) = await generated.ReadJsonAsync();
        var generatedId = generatedBody["correlation_id"]!.GetValue<string>();
        generatedId.ShouldNotBeNullOrWhiteSpace();
        generated.Headers.GetValues(CrewRunsCalls.CorrelationHeader).ShouldBe([generatedId]);

        var runId = Guid.Parse(givenBody["id"]!.GetValue<string>());
        (await client.WaitForRunAsync(runId, "completed"))["correlation_id"]!.GetValue<string>().ShouldBe("trace-42");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/crew-runs?correlation_id=trace-42");
        request.Headers.Add(CrewRunsCalls.CorrelationHeader, "list-7");
        using var listed = await client.SendAsync(request);
        listed.Headers.GetValues(CrewRunsCalls.CorrelationHeader).ShouldBe(["list-7"]);
        JsonNode.Parse(await listed.Content.ReadAsStringAsync())!.AsArray().Single()!["id"]!.GetValue<string>().ShouldBe(runId.ToString());
    }

    [Fact]
    public async Task CorrelationId_Unusable_Answers422OnTheHeader()
    {
        using var client = fixture.Org();
        var body = new JsonObject { ["crew_type"] = "research", ["task_input"] = Topic("bad header") };

        using var response = await client.PostJsonAsync("/api/crews/run", body, new string('x', 129));

        (await response.ReadErrorPathsAsync()).ShouldBe(["headers.x-correlation-id"]);
    }

    [Fact]
    public async Task RunCrew_RepeatedIdempotencyKey_AnswersTheSameRun_AsItStandsNow()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        var body = new JsonObject { ["crew_type"] = "research", ["task_input"] = Topic("once") };
        async Task<JsonObject> RunAsync(string correlationId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/crews/run") { Content = System.Net.Http.Json.JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "key-1");
            request.Headers.Add("X-Correlation-Id", correlationId);
            using var response = await user.Client.SendAsync(request);
            var (status, json) = await response.ReadJsonAsync();
            status.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
            return json;
        }

        var first = await RunAsync("corr-first-try");
        await user.Client.WaitForRunAsync(Guid.Parse(first["id"]!.GetValue<string>()), "completed");
        var again = await RunAsync("corr-second-try");

        first["status"]!.GetValue<string>().ShouldBe("pending");
        again["id"]!.GetValue<string>().ShouldBe(first["id"]!.GetValue<string>());
        again["status"]!.GetValue<string>().ShouldBe("completed");
        again["correlation_id"]!.GetValue<string>().ShouldBe("corr-first-try");
        (await user.Client.ListIdsAsync()).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task List_WithBadQuery_Answers422WithFieldPaths()
    {
        using var client = fixture.Org();

        using var response = await client.GetAsync("/api/crew-runs?limit=1001&status=sleeping&created_after=yesterday");

        (await response.ReadErrorPathsAsync()).ShouldBe(["query.status", "query.created_after", "query.limit"], ignoreOrder: true);
        (await (await client.GetAsync("/api/crew-runs?limit=0")).ReadErrorPathsAsync()).ShouldBe(["query.limit"]);
        (await (await client.GetAsync("/api/crew-runs?cursor=not-a-cursor")).ReadErrorPathsAsync()).ShouldBe(["query.cursor"]);
    }
}
