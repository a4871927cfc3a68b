using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>What a call to a crew that is not served says: why, and which crews the caller's token may use.</summary>
public sealed class CrewNotFoundTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        WriteCrews = path =>
        {
            TestCrews.WriteTwoTaskCrew(path);
            TestCrews.WriteReviewCrew(path);
            TestCrews.Write(path, "typo", "name: typo", "writer:\n  role: Writer\n  goal: Write\n  backstory: B",
                "draft:\n  description: Draft\n  expected_output: A draft\n  agent: writr");
        },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Kickoff_OfACrewThatFailedToLoad_SaysSoAndWhy()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);

        var (status, body) = await (await client.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject() }, "/crews/typo")).ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.NotFound);
        body["error"]!.GetValue<string>().ShouldBe("Crew not found");
        body["message"]!.GetValue<string>().ShouldBe(
            "The crew 'typo' failed to load when the server started and is not served: " +
            "typo/tasks.yaml:4:10: error: task 'draft': unknown agent 'writr' (agents: writer)");
    }

    [Fact]
    public async Task AnUnknownCrew_ListsTheCrewsTheTokenMayUse_AndTheOnesThatFailedToLoad()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var user = _server.CreateClient(await org.CreateTokenAsync("user", "alice", "research"));

        var (orgStatus, orgBody) = await org.GetJsonAsync("/crews/reserch/inputs");
        var (userStatus, userBody) = await user.GetJsonAsync("/crews/support/inputs");
        var (rootStatus, rootBody) = await user.GetJsonAsync("/inputs");

        orgStatus.ShouldBe(HttpStatusCode.NotFound);
        orgBody["message"]!.GetValue<string>().ShouldBe(
            "No crew named 'reserch' is deployed here. Crews this token may use: research, support. Failed to load: typo (the server's log says why).");
        // A crew outside the token's crews reads as unknown, and the failed crew is not the token's business.
        userStatus.ShouldBe(HttpStatusCode.NotFound);
        userBody["message"]!.GetValue<string>().ShouldBe("No crew named 'support' is deployed here. Crews this token may use: research.");
        rootStatus.ShouldBe(HttpStatusCode.NotFound);
        rootBody["message"]!.GetValue<string>().ShouldBe(
            "Several crews are deployed and none is the default; use the /crews/{name}/ routes or set Muster:DefaultCrew. Crews this token may use: research.");
    }

    [Fact]
    public async Task ACrewsFolderLaidOutAsDocsCrewsShows_ServesEverySubfolder()
    {
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            WriteCrews = path =>
            {
                TestCrews.WriteReviewCrew(path, "approval");
                TestCrews.WriteReviewCrew(path, "ops_review");
                var config = Path.Combine(path, "latest_ai_development", "src", "latest_ai_development", "config");
                Directory.CreateDirectory(config);
                File.WriteAllText(Path.Combine(path, "latest_ai_development", "pyproject.toml"), "[project]\nname = \"latest_ai_development\"\n");
                File.WriteAllText(Path.Combine(config, "agents.yaml"), "researcher:\n  role: >\n    {topic} Researcher\n  goal: Find\n  backstory: B\n");
                File.WriteAllText(Path.Combine(config, "tasks.yaml"), "research_task:\n  description: Research {topic}\n  expected_output: Facts\n  agent: researcher\n");
            },
        });
        using var client = server.CreateClient(server.BootstrapToken);

        var crews = await client.GetStringAsync("/api/crews");

        JsonNode.Parse(crews)!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)
            .ShouldBe(["approval", "latest_ai_development", "ops_review"]);
    }
}
