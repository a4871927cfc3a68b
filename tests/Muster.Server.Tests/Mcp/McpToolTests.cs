using Muster.Testing;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Muster.Core.Crews;
using Muster.Tools.Mcp;
using Muster.Server.Tests.CrewRuns;

namespace Muster.Server.Tests.Mcp;

/// <summary>Agents' MCP tools end to end: real MCP servers (stdio and streamable HTTP), the simulator over HTTP, the crew-runs API.</summary>
public sealed class McpToolTests(McpTestServers fixture) : IClassFixture<McpTestServers>
{
    private static readonly TimeSpan RunTimeout = Eventually.DefaultLimit;

    private async Task<JsonObject> RunAsync(string crew, string status)
    {
        using var client = fixture.Org();
        var id = await client.RunCrewAsync(crew, []);
        return await client.WaitForRunAsync(id, status, RunTimeout);
    }

    private static JsonObject AdHocCrew(JsonObject agentExtra)
    {
        var agent = new JsonObject { ["role"] = "Assistant", ["goal"] = "Answer with tools", ["backstory"] = "Careful", ["llm"] = "openai/simulated" };
        foreach (var (key, value) in agentExtra)
        {
            agent[key] = value?.DeepClone();
        }

        return new JsonObject
        {
            ["crew_config"] = new JsonObject
            {
                ["agents"] = new JsonArray(agent),
                ["tasks"] = new JsonArray(new JsonObject { ["description"] = "Answer", ["expected_output"] = "An answer", ["agent_index"] = 0 }),
            },
            ["task_input"] = new JsonObject(),
        };
    }

    [Fact]
    public async Task StdioServer_ItsToolsAreCalledWithItsEnvButNotMusters_AndTheResultsReachTheOutput()
    {
        var run = await RunAsync("stdio_weather", "completed");

        var result = run["result"]!.GetValue<string>();
        result.ShouldContain("The weather in Oslo is sunny, 21 degrees (from the stdio MCP server).");
        result.ShouldContain("MUSTER_MCP_GREETING=hello from env");
        result.ShouldContain($"{McpTestServers.SecretVariable}=(not set)");
        using var client = fixture.Org();
        var events = await client.GetArrayAsync($"/api/crew-runs/{run["id"]}/events");
        var finished = events.Where(e => e!["type"]!.GetValue<string>() == "tool_usage_finished").Select(e => e!["data"]!).ToList();
        finished.Select(d => d["tool_name"]!.GetValue<string>()).Order().ShouldBe(["get_weather", "read_env"]);
        finished.Single(d => d["tool_name"]!.GetValue<string>() == "get_weather")["tool_args"]!["city"]!.GetValue<string>().ShouldBe("Oslo");
    }

    [Fact]
    public async Task HttpServer_UrlWithToolFragment_GivesOnlyThatTool()
    {
        var result = (await RunAsync("http_fragment", "completed"))["result"]!.GetValue<string>();

        result.ShouldContain("'muster' is a self-hosted crew server (from the HTTP MCP server).");
        result.ShouldNotContain("QUIET PLEASE");
    }

    [Fact]
    public async Task HttpServer_ToolFilter_GivesOnlyTheListedTools()
    {
        var result = (await RunAsync("http_filtered", "completed"))["result"]!.GetValue<string>();

        result.ShouldContain("QUIET PLEASE");
        result.ShouldNotContain("self-hosted");
    }

    [Fact]
    public async Task OneServer_UsedByTwoAgentsOfARun_IsAskedForItsToolsOnce_AndEachAgentGetsItsOwnFilter()
    {
        var listingsBefore = fixture.ToolListings;

        var run = await RunAsync("http_two_tasks", "completed");

        (fixture.ToolListings - listingsBefore).ShouldBe(1);
        var outputs = run["tasks"]!.AsArray().Select(t => t!["output"]!.GetValue<string>()).ToList();
        outputs.Count.ShouldBe(2);
        (outputs[0].Contains("self-hosted", StringComparison.Ordinal), outputs[0].Contains("QUIET", StringComparison.Ordinal)).ShouldBe((true, false));
        (outputs[1].Contains("QUIET PLEASE", StringComparison.Ordinal), outputs[1].Contains("self-hosted", StringComparison.Ordinal)).ShouldBe((true, false));
    }

    [Fact]
    public async Task SseServer_ItsToolIsCalled()
    {
        var result = (await RunAsync("http_sse", "completed"))["result"]!.GetValue<string>();

        result.ShouldContain("'muster' is a self-hosted crew server (from the HTTP MCP server).");
        result.ShouldNotContain("QUIET PLEASE");
    }

    [Fact]
    public async Task ServerThatFailsToStart_FailsTheTaskWithAMessageNamingIt()
    {
        var run = await RunAsync("broken_mcp", "failed");

        run["error"]!.GetValue<string>().ShouldContain("MCP server 'missing-weather-server' failed to start");
        using var client = fixture.Org();
        var events = await client.GetArrayAsync($"/api/crew-runs/{run["id"]}/events");
        events.Single(e => e!["type"]!.GetValue<string>() == "task_failed")!["data"]!["error"]!.GetValue<string>().ShouldContain("missing-weather-server");
    }

    [Fact]
    public async Task UseDefaultMcps_GivesTheServersConfiguredOnMuster_ThroughTheirToolFilter()
    {
        var result = (await RunAsync("default_mcps", "completed"))["result"]!.GetValue<string>();

        result.ShouldContain("sunny");
        // The configured filter keeps only get_weather, so read_env is never offered (its answer would be "(not set)").
        result.ShouldNotContain("not set");
    }

    [Fact]
    public async Task AdHocCrew_UseDefaultMcps_IsCarriedAndGetsTheConfiguredServer()
    {
        using var client = fixture.Org();
        using var response = await client.PostJsonAsync("/api/crews/run/custom", AdHocCrew(new JsonObject { ["use_default_mcps"] = true }));
        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK, body.ToJsonString());

        var run = await client.WaitForRunAsync(Guid.Parse(body["id"]!.GetValue<string>()), "completed", RunTimeout);

        run["result"]!.GetValue<string>().ShouldContain("sunny");
        run["crew_config"]!["agents"]![0]!["use_default_mcps"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task ServerWiring_AdHocCrewsConnectThroughTheSsrfGuard_WhileDeployedCrewsReachLoopback()
    {
        // The kickoff check aside: the connection itself of an ad-hoc crew's server goes through the webhooks' guard.
        var configuration = new ConfigurationBuilder().Build();
        var collection = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration);
        new MusterBuilder(collection, configuration).AddWebhooks().AddMcp();
        await using var services = collection.BuildServiceProvider();
        var source = services.GetRequiredService<McpToolSource>();
        var agent = new AgentDefinition { Key = "a", Role = "R", Goal = "G", Backstory = "B", Mcps = [JsonValue.Create(fixture.HttpMcpUrl)] };
        var crew = new CrewDefinition { Name = "c", Agents = [agent], Tasks = [], Inputs = [] };

        await using (var deployed = source.OpenSession(crew))
        {
            (await deployed.ToolsForAsync(agent, CancellationToken.None)).Select(t => t.Name).Order().ShouldBe(["lookup", "shout"]);
        }

        await using var adHoc = source.OpenSession(crew with { AdHoc = true });
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => adHoc.ToolsForAsync(agent, CancellationToken.None));
        refused.Message.ShouldContain("non-public");
    }

    [Fact]
    public async Task AdHocCrew_WithStdioServer_Is422AndNothingRuns()
    {
        using var client = fixture.Org();
        var before = fixture.Server.Simulator.CompletionCount;
        var mcps = new JsonArray(new JsonObject { ["command"] = "dotnet", ["args"] = new JsonArray(McpTestServers.StdioServerDll) });

        using var response = await client.PostJsonAsync("/api/crews/run/custom", AdHocCrew(new JsonObject { ["mcps"] = mcps }));

        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        var error = body["detail"]!.AsArray().ShouldHaveSingleItem()!;
        error["loc"]!.GetValue<string>().ShouldBe("crew_config.agents[0].mcps[0]");
        error["msg"]!.GetValue<string>().ShouldContain("stdio MCP servers");
        fixture.Server.Simulator.CompletionCount.ShouldBe(before);
    }

    [Fact]
    public async Task AdHocCrew_WithLoopbackMcpUrl_IsRefusedByTheSsrfGuard()
    {
        using var client = fixture.Org();

        using var response = await client.PostJsonAsync(
            "/api/crews/run/custom", AdHocCrew(new JsonObject { ["mcps"] = new JsonArray(fixture.HttpMcpUrl + "?key=secret#lookup") }));

        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        var error = body["detail"]!.AsArray().ShouldHaveSingleItem()!;
        error["loc"]!.GetValue<string>().ShouldBe("crew_config.agents[0].mcps[0]");
        error["msg"]!.GetValue<string>().ShouldContain("loopback");
        error["msg"]!.GetValue<string>().ShouldNotContain("secret");
    }

    [Theory]
    [InlineData("http://192.0.2.1/mcp", "documentation")]
    [InlineData("http://[2002:7f00:1::1]/mcp", "loopback")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/mcp", "link-local")]
    public async Task AdHocCrew_WithSpecialPurposeMcpAddress_IsRefusedByTheSsrfGuard(string url, string why)
    {
        using var client = fixture.Org();

        using var response = await client.PostJsonAsync("/api/crews/run/custom", AdHocCrew(new JsonObject { ["mcps"] = new JsonArray(url) }));

        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        var error = body["detail"]!.AsArray().ShouldHaveSingleItem()!;
        error["loc"]!.GetValue<string>().ShouldBe("crew_config.agents[0].mcps[0]");
        error["msg"]!.GetValue<string>().ShouldContain(why);
    }
}
