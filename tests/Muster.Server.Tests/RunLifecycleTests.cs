using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Storage;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>Runs that take time: stop while running, pause for a human, the concurrency bound.</summary>
public sealed class RunLifecycleTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        WriteCrews = path =>
        {
            TestCrews.WriteTwoTaskCrew(path);
            TestCrews.WriteReviewCrew(path);
        },
        Settings = new Dictionary<string, string?> { ["Muster:Execution:MaxConcurrentRuns"] = "2" },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HttpClient Org() => _server.CreateClient(_server.BootstrapToken);

    [Fact]
    public async Task Root_WithSeveralCrewsAndNoDefault_Answers404NamingTheFix()
    {
        using var client = Org();
        var (status, body) = await client.GetJsonAsync("/inputs");
        status.ShouldBe(HttpStatusCode.NotFound);
        body["message"]!.GetValue<string>().ShouldContain("Muster:DefaultCrew");
    }

    [Fact]
    public async Task Stop_OfARunningRun_EndsItAsStoppedWithWhoAndWhen()
    {
        _server.Simulator.Latency = TimeSpan.Zero;
        using var research = AnswerHold.About(_server.Simulator, "stopping Researcher");
        using var client = Org();
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "stopping" }, "/crews/research");
        await client.WaitForStatusAsync(id, s => s["state"]?.GetValue<string>() == "RUNNING", "/crews/research");

        using var stop = await client.PostAsync($"/crews/research/stop/{id}", null);
        var (status, body) = await stop.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK);
        body.ToJsonString().ShouldBe($$"""{"status":"stopped","kickoffId":"{{id}}"}""");

        var done = await client.WaitForFinishAsync(id, "/crews/research");
        done["status"]!.GetValue<string>().ShouldBe("error");
        done["error"]!.GetValue<string>().ShouldStartWith("Stopped by org:");

        using var again = await client.PostAsync($"/crews/research/stop/{id}", null);
        (await again.Content.ReadAsStringAsync()).ShouldBe("""{"detail":"Cannot stop execution. Current state: REVOKED"}""");
    }

    [Fact]
    public async Task Status_OfARunningRun_ShowsTheCurrentTaskAndProgress_AndNoResult()
    {
        _server.Simulator.Latency = TimeSpan.Zero;
        using var report = AnswerHold.About(_server.Simulator, "progressing Writer");
        using var client = Org();
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "progressing" }, "/crews/research");

        var running = await client.WaitForStatusAsync(
            id, s => s["current_task"]?.GetValue<string>() == "report_task", "/crews/research");

        running["status"]!.GetValue<string>().ShouldBe("running", running.ToJsonString());
        running["state"]!.GetValue<string>().ShouldBe("RUNNING");
        running["progress"]!.ToJsonString().ShouldBe("""{"completed_tasks":1,"total_tasks":2}""");
        running.ContainsKey("result").ShouldBeFalse(running.ToJsonString());
        running.ContainsKey("error").ShouldBeFalse();
        running.ContainsKey("pending_human_input").ShouldBeFalse();
        report.Release();
        await client.WaitForFinishAsync(id, "/crews/research");
    }

    [Fact]
    public async Task HumanInputTask_PausesTheRun_AndStatusShowsThePendingReview()
    {
        _server.Simulator.Latency = TimeSpan.Zero;
        using var client = Org();
        var id = await client.KickoffAsync(new JsonObject { ["question"] = "Can I export?" }, "/crews/support");

        var paused = await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null, "/crews/support");

        paused["status"]!.GetValue<string>().ShouldBe("running");
        paused["pending_human_input"]!["task_id"]!.GetValue<string>().ShouldBe("draft_reply");
        paused["pending_human_input"]!["output"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Stop_OfAPausedRun_StopsItAtOnce()
    {
        _server.Simulator.Latency = TimeSpan.Zero;
        using var org = Org();
        using var user = _server.CreateClient(await org.CreateTokenAsync("user", "reviewer-1"));
        var id = await user.KickoffAsync(new JsonObject { ["question"] = "Stop me?" }, "/crews/support");
        await user.WaitForStatusAsync(id, s => s["pending_human_input"] is not null, "/crews/support");

        using var stop = await user.PostAsync($"/crews/support/stop/{id}", null);
        stop.StatusCode.ShouldBe(HttpStatusCode.OK);

        var (_, status) = await user.GetJsonAsync($"/crews/support/status/{id}");
        status["status"]!.GetValue<string>().ShouldBe("error");
        status["error"]!.GetValue<string>().ShouldStartWith("Stopped by reviewer-1 at ");
    }

    [Fact]
    public async Task MaxConcurrentRuns_IsNeverExceeded_AndEveryRunFinishes()
    {
        _server.Simulator.Latency = TimeSpan.FromMilliseconds(300);
        using var client = Org();
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await client.KickoffAsync(new JsonObject { ["topic"] = $"bound {i}" }, "/crews/research"));
        }

        foreach (var id in ids)
        {
            (await client.WaitForFinishAsync(id, "/crews/research"))["status"]!.GetValue<string>().ShouldBe("completed");
        }

        // Each run executed from its claim (started_at) to its end (completed_at): no instant is inside more than two.
        var store = _server.Services.GetRequiredService<IRunStore>();
        var spans = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var id in ids)
        {
            var run = (await store.GetRunAsync(id, CancellationToken.None))!;
            spans.Add((run.StartedAt!.Value, run.CompletedAt!.Value));
        }

        var mostAtOnce = spans.Max(s => spans.Count(o => o.Start <= s.Start && s.Start < o.End));
        mostAtOnce.ShouldBeLessThanOrEqualTo(2);
        mostAtOnce.ShouldBe(2, "six queued runs should have filled both slots");
    }
}
