using System.Net;
using System.Text.Json.Nodes;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;
using Muster.Testing;

namespace Muster.Client.Tests.Live;

/// <summary>The SDK's history, events, deliveries, crews and tokens calls against a real Muster server.</summary>
public sealed class HistoryAgainstMusterTests(LiveServer live) : IClassFixture<LiveServer>
{
    [Fact]
    public async Task ListCrews_ListsTheDeployedCrews()
    {
        var crews = await live.Client(crew: null).ListCrewsAsync();

        crews.Select(c => c.Name).ShouldBe(["reports", "research", "support"]);
        var research = crews.Single(c => c.Name == "research");
        research.Tasks.ShouldBe(["research_task", "report_task"]);
        research.Inputs.ShouldBe(["topic"]);
    }

    [Fact]
    public async Task RunFiles_AreListedAndDownloaded_AndAnUnknownFileThrows404()
    {
        live.ResetSimulator();
        var client = live.Client(crew: "reports");
        var outcome = await client.KickoffAndWaitAsync(new JsonObject { ["topic"] = "otters" }, LiveServer.FastPolling);
        outcome.Succeeded.ShouldBeTrue();

        var files = await client.ListRunFilesAsync(outcome.KickoffId.ToString());
        files.ShouldHaveSingleItem().Path.ShouldBe("reports/otters.md");
        var content = System.Text.Encoding.UTF8.GetString(await client.DownloadRunFileAsync(outcome.KickoffId.ToString(), "reports/otters.md"));
        content.ShouldBe(outcome.Output);

        var missing = await Should.ThrowAsync<MusterApiException>(() => client.DownloadRunFileAsync(outcome.KickoffId.ToString(), "reports/seals.md"));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListRuns_AppliesEveryFilter_AndPagesWithTheCursor()
    {
        live.ResetSimulator();
        var client = live.Client(crew: null);
        var correlation = "sdk-filters-" + Guid.NewGuid().ToString("N");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await client.RunCrewAsync(new RunCrewRequest { CrewType = "research", TaskInput = new JsonObject { ["topic"] = $"t{i}" } }, correlation + i)).Id);
        }

        foreach (var id in created)
        {
            await live.Client().WaitForCompletionAsync(Guid.Parse(id), LiveServer.FastPolling);
        }

        var owner = (await client.GetRunAsync(created[0])).OwnerId;
        var byCorrelation = await client.ListRunsAsync(new RunListQuery { CorrelationId = correlation + "1" });
        var filtered = await client.ListRunsAsync(new RunListQuery
        {
            Status = "completed", CrewType = "research", OwnerId = owner, CreatedAfter = before, CreatedBefore = DateTimeOffset.UtcNow.AddSeconds(1), Limit = 1000,
        });
        var otherCrew = await client.ListRunsAsync(new RunListQuery { CrewType = "support", CreatedAfter = before });
        var firstPage = await client.ListRunsAsync(new RunListQuery { CreatedAfter = before, CrewType = "research", Limit = 2 });
        var all = new List<CrewRunRecord>();
        await foreach (var run in client.ListAllRunsAsync(new RunListQuery { CreatedAfter = before, CrewType = "research", Limit = 1 }))
        {
            all.Add(run);
        }

        byCorrelation.Runs.ShouldHaveSingleItem().Id.ShouldBe(created[1]);
        created.ShouldBeSubsetOf(filtered.Runs.Select(r => r.Id));
        filtered.Runs.ShouldAllBe(r => r.Status == "completed" && r.CrewType == "research" && r.OwnerId == owner);
        otherCrew.Runs.ShouldNotContain(r => created.Contains(r.Id));
        firstPage.Runs.Count.ShouldBe(2);
        firstPage.NextCursor.ShouldNotBeNull();
        all.Select(r => r.Id).ShouldBeUnique();
        created.ShouldBeSubsetOf(all.Select(r => r.Id));
    }

    [Fact]
    public async Task ListRuns_WithAnInvalidFilter_Throws422WithFieldErrors()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => live.Client(crew: null).ListRunsAsync(new RunListQuery { Status = "bogus", Limit = 0 }));

        ex.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        ex.FieldErrors.Select(e => e.Path).ShouldBe(["query.status", "query.limit"], ignoreOrder: true);
        ex.ServerMessage.ShouldContain("query.status: Must be one of pending, running, completed, failed, stopped");
    }

    [Fact]
    public async Task GetRun_ShowsTasksAndUsage_AndDeleteRemovesAFinishedRun()
    {
        live.ResetSimulator();
        var client = live.Client();
        var outcome = await client.KickoffAndWaitAsync(new JsonObject { ["topic"] = "records" }, LiveServer.FastPolling);
        var id = outcome.KickoffId.ToString();

        var run = await client.GetRunAsync(id);
        await client.DeleteRunAsync(id);
        var gone = await Should.ThrowAsync<MusterApiException>(() => client.GetRunAsync(id));

        run.Status.ShouldBe("completed");
        run.CrewType.ShouldBe("research");
        run.Result.ShouldBe(outcome.Output);
        run.TaskInput!["topic"]!.GetValue<string>().ShouldBe("records");
        run.Tasks.ShouldNotBeNull().Select(t => t.Task).ShouldBe(["research_task", "report_task"]);
        run.TokenUsage.ShouldNotBeNull().TotalTokens.ShouldBe(run.Tasks.Sum(t => t.TokenUsage.TotalTokens));
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task StreamRunEvents_YieldsEveryEventLiveInOrder_AndEqualsTheStoredEvents()
    {
        live.ResetSimulator(latency: TimeSpan.FromMilliseconds(200));
        var client = live.Client();
        var id = (await client.KickoffAsync(new JsonObject { ["topic"] = "streams" })).KickoffId.ToString();

        var streamed = new List<RunEventDto>();
        // Only a ceiling against a hang: the stream ends by itself with the run's last event.
        using var timeout = new CancellationTokenSource(Eventually.DefaultLimit);
        await foreach (var runEvent in client.StreamRunEventsAsync(id, cancellationToken: timeout.Token))
        {
            streamed.Add(runEvent);
        }

        var stored = await client.GetRunEventsAsync(id);
        var afterThree = await client.GetRunEventsAsync(id, after: 3);

        streamed.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, streamed.Count).Select(i => (long)i));
        streamed[0].Type.ShouldBe("crew_kickoff_started");
        streamed[^1].Type.ShouldBe("crew_kickoff_completed");
        streamed.ShouldContain(e => e.Type == "llm_call_completed");
        stored.Select(e => (e.Sequence, e.Type)).ShouldBe(streamed.Select(e => (e.Sequence, e.Type)));
        afterThree[0].Sequence.ShouldBe(4);
        live.ResetSimulator();
    }

    [Fact]
    public async Task GetDeliveries_ShowsTheCrewWebhookAndItsAttempt()
    {
        live.ResetSimulator();
        var client = live.Client();
        var url = live.Receiver.Url("sdk-crew-" + Guid.NewGuid().ToString("N"));
        var outcome = await client.KickoffAndWaitAsync(
            new KickoffRequest { Inputs = new JsonObject { ["topic"] = "hooks" }, CrewWebhookUrl = url }, LiveServer.FastPolling);
        await live.Receiver.WaitForAcceptedAsync(1, r => url.EndsWith(r.Path, StringComparison.Ordinal));

        var deliveries = await Eventually.Until(
            () => client.GetDeliveriesAsync(outcome.KickoffId.ToString()),
            found => found.All(d => d.State != "pending"),
            "the deliveries never settled");

        var crew = deliveries.ShouldHaveSingleItem();
        crew.Url.ShouldBe(url);
        crew.State.ShouldBe("delivered");
        crew.Attempts.ShouldHaveSingleItem().StatusCode.ShouldBe(200);
    }

    [Fact]
    public async Task Tokens_CreateListUseRevoke_AndAUserTokenSeesOnlyItsOwnRuns()
    {
        live.ResetSimulator();
        var org = live.Client(crew: null);
        var userId = "sdk-user-" + Guid.NewGuid().ToString("N");

        var created = await org.CreateTokenAsync(new CreateTokenRequest { Kind = "user", UserId = userId, Name = "sdk test" });
        var user = live.Client(token: created.Token);
        var mine = await user.KickoffAndWaitAsync(new JsonObject { ["topic"] = "mine" }, LiveServer.FastPolling);
        var othersRun = await org.RunCrewAsync(new RunCrewRequest { CrewType = "research", TaskInput = new JsonObject { ["topic"] = "not yours" } });
        var visible = await live.Client(crew: null, token: created.Token).ListRunsAsync();
        var hidden = await Should.ThrowAsync<MusterApiException>(() => user.GetRunAsync(othersRun.Id));
        var listed = await org.ListTokensAsync();
        await org.RevokeTokenAsync(created.Info.Id);
        var revoked = await Should.ThrowAsync<MusterApiException>(() => user.GetInputsAsync());
        var unknown = await Should.ThrowAsync<MusterApiException>(() => org.RevokeTokenAsync("tok_nope"));

        created.Token.ShouldStartWith("mst_");
        created.Info.Kind.ShouldBe("user");
        created.Info.UserId.ShouldBe(userId);
        mine.Succeeded.ShouldBeTrue();
        visible.Runs.Select(r => r.Id).ShouldBe([mine.KickoffId.ToString()]);
        hidden.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        listed.ShouldContain(t => t.Id == created.Info.Id && t.RevokedAt == null && t.Name == "sdk test");
        revoked.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RunCustomCrew_WithAnInvalidConfig_Throws422WithFieldErrors()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => live.Client(crew: null).RunCustomCrewAsync(new RunCustomCrewRequest { CrewConfig = new CrewConfig() }));

        ex.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        ex.FieldErrors.ShouldNotBeEmpty();
        ex.ServerMessage.ShouldContain(ex.FieldErrors[0].Path);
    }
}
