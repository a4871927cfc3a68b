using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>A server whose <c>report</c> crew writes <c>reports/{topic}.md</c>; each test acts as a user of its own.</summary>
public sealed class RunFilesServer : IAsyncLifetime
{
    public MusterServerFixture Server { get; private set; } = null!;

    public string OutputsPath => Path.Combine(Path.GetDirectoryName(Server.DatabasePath)!, "outputs");

    public async Task InitializeAsync() => Server = await MusterServerFixture.StartAsync(new MusterServerSetup { WriteCrews = WriteReportCrew });

    /// <summary>The <c>report</c> crew: one task that writes <c>reports/{topic}.md</c>.</summary>
    public static void WriteReportCrew(string path) => TestCrews.Write(
        path,
        "report",
        "name: report",
        """
        writer:
          role: "Writer"
          goal: "Write about {topic}"
          backstory: "Clear."
        """,
        """
        write_report:
          description: "Write a report on {topic}."
          expected_output: "A report."
          agent: writer
          output_file: "reports/{topic}.md"
        """);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public Task<TestUser> NewUserAsync() => CrewRunsServer.NewUserAsync(Server);
}

/// <summary><c>output_file</c> through real HTTP: written in the run's folder, listed and downloaded by its owner only, deleted with the run.</summary>
public sealed class RunFilesTests(RunFilesServer fixture) : IClassFixture<RunFilesServer>
{
    private async Task<Guid> RunReportAsync(TestUser user, string topic)
    {
        var id = await user.Client.RunCrewAsync("report", new JsonObject { ["topic"] = topic });
        await user.Client.WaitForRunAsync(id, "completed");
        return id;
    }

    [Fact]
    public async Task OutputFile_IsListedAndDownloadableByItsOwner_AndHoldsTheTaskOutput()
    {
        using var owner = await fixture.NewUserAsync();
        var id = await RunReportAsync(owner, "owls");
        var run = (await owner.Client.GetJsonAsync($"/api/crew-runs/{id}")).Body;

        var files = await owner.Client.GetArrayAsync($"/api/crew-runs/{id}/files");
        using var download = await owner.Client.GetAsync($"/api/crew-runs/{id}/files/reports/owls.md");

        var file = files.ShouldHaveSingleItem()!;
        file["path"]!.GetValue<string>().ShouldBe("reports/owls.md");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.ShouldBe("text/markdown");
        var content = await download.Content.ReadAsStringAsync();
        content.ShouldBe(run["result"]!.GetValue<string>());
        file["size"]!.GetValue<long>().ShouldBe(System.Text.Encoding.UTF8.GetByteCount(content));
        // UTC with a Z, like every other timestamp of the API (System.Text.Json alone writes +00:00).
        var modifiedAt = file["modified_at"]!.GetValue<string>();
        modifiedAt.ShouldEndWith("Z");
        DateTimeOffset.Parse(modifiedAt, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(
            new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(fixture.OutputsPath, id.ToString(), "reports", "owls.md"))), TimeSpan.FromSeconds(1));
        File.ReadAllText(Path.Combine(fixture.OutputsPath, id.ToString(), "reports", "owls.md")).ShouldBe(content);
    }

    [Fact]
    public async Task OutputFile_OfAnotherUsersRun_Is404()
    {
        using var owner = await fixture.NewUserAsync();
        using var stranger = await fixture.NewUserAsync();
        var id = await RunReportAsync(owner, "bats");

        using var list = await stranger.Client.GetAsync($"/api/crew-runs/{id}/files");
        using var download = await stranger.Client.GetAsync($"/api/crew-runs/{id}/files/reports/bats.md");

        (list.StatusCode, download.StatusCode).ShouldBe((HttpStatusCode.NotFound, HttpStatusCode.NotFound));
    }

    [Theory]
    [InlineData("reports/missing.md")]
    [InlineData("reports/%2E%2E/%2E%2E/muster.db")]
    [InlineData("..%2F..%2Fmuster.db")]
    public async Task Download_OfAPathThatIsNotOneOfTheRunsFiles_Is404(string path)
    {
        using var owner = await fixture.NewUserAsync();
        var id = await RunReportAsync(owner, "moths");

        using var response = await owner.Client.GetAsync($"/api/crew-runs/{id}/files/{path}");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Kickoff_WithAnInputThatMakesTheOutputFileEscape_Is422AndStoresNoRun()
    {
        using var owner = await fixture.NewUserAsync();

        using var response = await owner.Client.PostJsonAsync(
            "/api/crews/run", new JsonObject { ["crew_type"] = "report", ["task_input"] = new JsonObject { ["topic"] = "../../escape" } });

        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        body["detail"]![0]!["msg"]!.GetValue<string>().ShouldContain("reports/../../escape.md' is refused");
        (await owner.Client.ListIdsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task AmpKickoff_WithAnInputThatMakesTheOutputFileEscape_Is422()
    {
        using var org = fixture.Server.CreateClient(fixture.Server.BootstrapToken);

        using var response = await org.PostJsonAsync("/crews/report/kickoff", new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "../../../x" } });

        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        body.ToJsonString().ShouldContain("is refused");
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheFilesRoutes()
    {
        using var client = fixture.Server.CreateClient();

        var document = await client.GetStringAsync("/openapi/v1.json");

        document.ShouldContain("\"/api/crew-runs/{id}/files\"");
        document.ShouldContain("\"/api/crew-runs/{id}/files/{path}\"");
        document.ShouldContain("\"RunFileRecord\"");
    }

    [Fact]
    public async Task DeletingTheRun_DeletesItsFiles()
    {
        using var owner = await fixture.NewUserAsync();
        var id = await RunReportAsync(owner, "newts");
        var folder = Path.Combine(fixture.OutputsPath, id.ToString());
        Directory.Exists(folder).ShouldBeTrue();

        using var delete = await owner.Client.DeleteAsync($"/api/crew-runs/{id}");

        delete.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Directory.Exists(folder).ShouldBeFalse();
        using var files = await owner.Client.GetAsync($"/api/crew-runs/{id}/files");
        files.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

/// <summary>The retention purge takes a run's files with it.</summary>
public sealed class RetentionPurgeOfFilesTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        // The report, then a second task: held, it keeps the run (and so its file) from being purged until the test saw the file.
        WriteCrews = path => TestCrews.Write(
            path,
            "report",
            "name: report",
            """
            writer:
              role: "Writer"
              goal: "Write about {topic}"
              backstory: "Clear."
            """,
            """
            write_report:
              description: "Write a report on {topic}."
              expected_output: "A report."
              agent: writer
              output_file: "reports/{topic}.md"
            proofread:
              description: "Proofread the report."
              expected_output: "The report, proofread."
              agent: writer
            """),
        Settings = new Dictionary<string, string?>
        {
            // About 2.6 seconds after a run finished, checked every 100 ms: short enough for a test.
            ["Muster:Retention:Days"] = "0.00003",
            ["Muster:Retention:Interval"] = "00:00:00.100",
        },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PurgedRun_LosesItsOutputFolder_WhileOtherFoldersStay()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        var outputs = Path.Combine(Path.GetDirectoryName(_server.DatabasePath)!, "outputs");
        var stranger = Directory.CreateDirectory(Path.Combine(outputs, "not-a-run"));
        using var proofread = AnswerHold.About(_server.Simulator, "Proofread the report");
        var id = await client.RunCrewAsync("report", new JsonObject { ["topic"] = "old" });
        var folder = Path.Combine(outputs, id.ToString());
        await Eventually.Until(() => File.Exists(Path.Combine(folder, "reports", "old.md")), "the report was never written");

        proofread.Release();
        await Eventually.Until(() => !Directory.Exists(folder), "the purged run's folder was never deleted");

        (await client.GetAsync($"/api/crew-runs/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        stranger.Exists.ShouldBeTrue();
    }
}
