using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary><c>POST /api/crews/run</c> and <c>/run/custom</c>: validation with field paths, bounds, and the off switch.</summary>
public sealed class AdHocCrewApiTests(CrewRunsServer fixture) : IClassFixture<CrewRunsServer>
{
    private static JsonObject Agent(string role = "{topic} analyst", string? llm = null) => new()
    {
        ["role"] = role, ["goal"] = "Analyse", ["backstory"] = "Seasoned", ["llm"] = llm,
    };

    private static JsonObject CustomBody(JsonArray agents, JsonArray tasks, JsonObject? input = null) => new()
    {
        ["crew_config"] = new JsonObject { ["agents"] = agents, ["tasks"] = tasks },
        ["task_input"] = input ?? new JsonObject { ["topic"] = "tides" },
    };

    private static JsonObject TaskAt(int agentIndex) => new()
    {
        ["description"] = "Explain {topic}", ["expected_output"] = "Three sentences", ["agent_index"] = agentIndex,
    };

    [Fact]
    public async Task RunCustom_ValidCrew_RunsAndIsRecordedWithoutCrewType()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();

        using var response = await user.Client.PostJsonAsync("/api/crews/run/custom", CustomBody([Agent(llm: "openai/simulated")], [TaskAt(0)]));
        var (status, body) = await response.ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
        body["status"]!.GetValue<string>().ShouldBe("pending");
        var run = await user.Client.WaitForRunAsync(Guid.Parse(body["id"]!.GetValue<string>()), "completed");
        run["crew_type"].ShouldBeNull();
        run["crew_config"]!["agents"]![0]!["role"]!.GetValue<string>().ShouldBe("tides analyst");
        run["crew_config"]!["tasks"]![0]!["description"]!.GetValue<string>().ShouldBe("Explain tides");
        run["result"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task RunRecord_UnderWay_CarriesTheSpecsEmptyFieldsAsNull_InTheRecordAndTheList()
    {
        using var hold = AnswerHold.About(fixture.Server.Simulator, "null fields");
        using var user = await fixture.NewUserAsync();
        var body = CustomBody([Agent()], [new JsonObject { ["description"] = "Explain {topic}", ["expected_output"] = "Three sentences" }],
            new JsonObject { ["topic"] = "null fields" });
        body["crew_config"]!["process"] = "hierarchical";
        using var response = await user.Client.PostJsonAsync("/api/crews/run/custom", body);
        var (_, accepted) = await response.ReadJsonAsync();
        var id = Guid.Parse(accepted["id"]!.GetValue<string>());
        await hold.WaitForCallAsync();

        var (_, record) = await user.Client.GetJsonAsync($"/api/crew-runs/{id}");
        var listed = (await user.Client.GetArrayAsync("/api/crew-runs")).Single(r => r!["id"]!.GetValue<string>() == id.ToString())!.AsObject();

        foreach (var run in new[] { record, listed })
        {
            // The spec's model always has these fields; Python clients index them directly.
            foreach (var field in new[] { "crew_type", "result", "error", "completed_at" })
            {
                run.ContainsKey(field).ShouldBeTrue($"{field} is missing from {run.ToJsonString()}");
                run[field].ShouldBeNull();
            }

            run["started_at"]!.GetValue<string>().ShouldEndWith("Z");
            var task = run["crew_config"]!["tasks"]![0]!.AsObject();
            task.ContainsKey("agent_index").ShouldBeTrue(task.ToJsonString());
            task["agent_index"].ShouldBeNull();
        }

        hold.Release();
        await user.Client.WaitForRunAsync(id, "completed");
    }

    [Fact]
    public async Task RunCustom_NamedAfterADeployedCrew_StaysOutOfThatCrewsScopeAndRoutes()
    {
        fixture.Server.Simulator.Latency = TimeSpan.Zero;
        using var user = await fixture.NewUserAsync();
        using var org = fixture.Org();
        using var limited = fixture.Server.CreateClient(await org.CreateTokenAsync("org", null, "research"));
        var body = CustomBody([Agent(llm: "openai/simulated")], [TaskAt(0)]);
        body["crew_config"]!["id"] = "research";

        using var response = await user.Client.PostJsonAsync("/api/crews/run/custom", body);
        var (status, accepted) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK, accepted.ToJsonString());
        var id = Guid.Parse(accepted["id"]!.GetValue<string>());
        await user.Client.WaitForRunAsync(id, "completed");

        // A token limited to the deployed crew neither sees nor deletes it.
        (await limited.GetAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await limited.GetAsync($"/api/crew-runs/{id}/events")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await limited.ListIdsAsync($"?owner_id={user.Id}")).ShouldBeEmpty();
        (await limited.DeleteAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // The deployed crew's AMP routes do not serve it, to any token; it is not a run of crew_type research either.
        foreach (var client in new[] { limited, org, user.Client })
        {
            (await client.GetAsync($"/crews/research/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await client.GetAsync($"/crews/research/{id}/status")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await client.PostAsync($"/crews/research/stop/{id}", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        (await org.ListIdsAsync($"?owner_id={user.Id}&crew_type=research")).ShouldBeEmpty();
        // Its owner and unlimited tokens still reach it through the history.
        (await org.GetAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await user.Client.ListIdsAsync()).ShouldBe([id]);
        (await user.Client.DeleteAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task RunCustom_HierarchicalCrew_IsManagedByTheBuiltInManagerOnTheDefaultModel()
    {
        using var user = await fixture.NewUserAsync();
        var body = CustomBody([Agent()], [new JsonObject { ["description"] = "Explain {topic}", ["expected_output"] = "Three sentences" }]);
        body["crew_config"]!["process"] = "hierarchical";

        using var response = await user.Client.PostJsonAsync("/api/crews/run/custom", body);
        var (status, accepted) = await response.ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.OK, accepted.ToJsonString());
        var run = await user.Client.WaitForRunAsync(Guid.Parse(accepted["id"]!.GetValue<string>()), "completed");
        run["crew_config"]!["process"]!.GetValue<string>().ShouldBe("hierarchical");
        run["tasks"]![0]!["agent"]!.GetValue<string>().ShouldBe("Crew Manager");
    }

    [Fact]
    public async Task RunCustom_InvalidCrew_Answers422WithEveryFieldPath()
    {
        using var client = fixture.Org();
        var body = CustomBody(
            [Agent(), Agent(role: " "), Agent(llm: "openai/forbidden")],
            [TaskAt(5), new JsonObject { ["description"] = "x", ["agent_index"] = 0 }],
            new JsonObject());

        using var response = await client.PostJsonAsync("/api/crews/run/custom", body);

        (await response.ReadErrorPathsAsync()).ShouldBe([
            "crew_config.agents[1].role",
            "crew_config.agents[2].llm",
            "crew_config.tasks[0].agent_index",
            "crew_config.tasks[1].expected_output",
        ]);
    }

    [Fact]
    public async Task RunCustom_OverTheAgentBound_Answers422()
    {
        using var client = fixture.Org();

        using var response = await client.PostJsonAsync("/api/crews/run/custom", CustomBody([Agent(), Agent(), Agent(), Agent()], [TaskAt(0)]));

        (await response.ReadErrorPathsAsync()).ShouldBe(["crew_config.agents"]);
    }

    [Fact]
    public async Task RunCustom_MissingPlaceholderInput_Answers422ForThatInput()
    {
        using var client = fixture.Org();

        using var response = await client.PostJsonAsync("/api/crews/run/custom", CustomBody([Agent()], [TaskAt(0)], new JsonObject { ["other"] = 1 }));

        (await response.ReadErrorPathsAsync()).ShouldBe(["task_input.topic"]);
    }

    [Fact]
    public async Task RunCrew_MissingCrewTypeOrInput_Answers422WithPaths_UnknownCrew404()
    {
        using var client = fixture.Org();

        using var noType = await client.PostJsonAsync("/api/crews/run", new JsonObject { ["task_input"] = new JsonObject() });
        using var noInput = await client.PostJsonAsync("/api/crews/run", new JsonObject { ["crew_type"] = "research" });
        using var unknown = await client.PostJsonAsync("/api/crews/run", new JsonObject { ["crew_type"] = "nope", ["task_input"] = new JsonObject() });

        (await noType.ReadErrorPathsAsync()).ShouldBe(["crew_type"]);
        (await noInput.ReadErrorPathsAsync()).ShouldBe(["task_input.topic"]);
        var (status, body) = await unknown.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.NotFound);
        body["error"]!.GetValue<string>().ShouldBe("Crew not found");
    }

    [Fact]
    public async Task ListCrews_ShowsDeployedCrewsWithTheirInputs()
    {
        using var client = fixture.Org();

        var crews = await client.GetArrayAsync("/api/crews");

        crews.Select(c => c!["name"]!.GetValue<string>()).ShouldBe(["notes", "research"]);
        crews[1]!["inputs"]!.AsArray().Select(i => i!.GetValue<string>()).ShouldBe(["topic"]);
        crews[1]!["tasks"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
        // The writer's role is written "role: >" (CrewAI's template style): listed without the newline YAML gives it.
        crews[1]!["agents"]!.AsArray().Select(a => a!.GetValue<string>()).ShouldBe(["{topic} Researcher", "{topic} Writer"]);
    }

    [Fact]
    public async Task ListCrews_ForATokenLimitedToOneCrew_ShowsOnlyThatCrew()
    {
        using var org = fixture.Org();
        using var limited = fixture.Server.CreateClient(await org.CreateTokenAsync("organization", null, "notes"));

        (await limited.GetArrayAsync("/api/crews")).Select(c => c!["name"]!.GetValue<string>()).ShouldBe(["notes"]);
        using var custom = await limited.PostJsonAsync("/api/crews/run/custom", CustomBody([Agent()], [TaskAt(0)]));
        custom.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

/// <summary>With <c>Muster:AdHocCrews:Enabled=false</c> the custom route refuses with 403.</summary>
public sealed class AdHocCrewsDisabledTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?> { ["Muster:AdHocCrews:Enabled"] = "false" },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RunCustom_WhenDisabled_Answers403()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        var body = new JsonObject { ["crew_config"] = new JsonObject(), ["task_input"] = new JsonObject() };

        using var response = await client.PostJsonAsync("/api/crews/run/custom", body);
        var (status, json) = await response.ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.Forbidden);
        json["error"]!.GetValue<string>().ShouldBe("Forbidden");
        json["message"]!.GetValue<string>().ShouldContain("Muster:AdHocCrews:Enabled");
    }
}
