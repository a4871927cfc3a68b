using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Webhooks;

public sealed class HumanInputTests : IAsyncLifetime
{
    private readonly WebhookTestServer _server = new(path => TestCrews.WriteReviewCrew(path));
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _server.Dispose();
    }

    [Fact]
    public async Task Approve_AfterThePauseWebhook_ResumesAndCompletes()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);

        var id = await Kickoff(client, new JsonObject
        {
            ["humanInputWebhook"] = new JsonObject
            {
                ["url"] = _receiver.Url("review"),
                ["authentication"] = new JsonObject { ["strategy"] = "bearer", ["token"] = "review-token" },
            },
        });
        var webhook = (await _receiver.WaitForAcceptedAsync(1)).Single();
        var status = await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);

        webhook.Header("Authorization").ShouldBe("Bearer review-token");
        webhook.ShouldBeSignedWith(WebhookTestServer.Secret);
        var payload = webhook.Json();
        payload["kickoff_id"]!.GetValue<string>().ShouldBe(id.ToString());
        payload["task_id"]!.GetValue<string>().ShouldBe("draft_reply");
        payload["output"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        payload["meta"]!["ticket"]!.GetValue<string>().ShouldBe("T-7");
        status["status"]!.GetValue<string>().ShouldBe("running");
        status["pending_human_input"]!["output"]!.GetValue<string>().ShouldBe(payload["output"]!.GetValue<string>());

        var (code, body) = await (await client.ResumeAsync(Resume(id, approve: true, "Looks good"))).ReadJsonAsync();

        code.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
        body["status"]!.GetValue<string>().ShouldBe("resumed");
        body["message"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        var final = await client.WaitForFinishAsync(id);
        final.Is("completed").ShouldBeTrue(final.ToJsonString());
        final["result"]!["tasks"]!.AsArray().ShouldHaveSingleItem()!["task_id"]!.GetValue<string>().ShouldBe("draft_reply");
    }

    [Fact]
    public async Task Reject_RerunsTheTaskWithTheFeedback_ThenPausesAgain()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);
        var id = await Kickoff(client, new JsonObject { ["humanInputWebhook"] = new JsonObject { ["url"] = _receiver.Url("review") } });
        await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);
        var requestsBefore = muster.Simulator.Requests.Count;

        var (code, body) = await (await client.ResumeAsync(Resume(id, approve: false, "Make it more formal, please"))).ReadJsonAsync();

        code.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
        body["status"]!.GetValue<string>().ShouldBe("retrying");
        await _receiver.WaitForAcceptedAsync(2);
        await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);
        muster.Simulator.Requests.Skip(requestsBefore)
            .ShouldContain(r => r.Mentions("Make it more formal, please"));

        (await client.ResumeAsync(Resume(id, approve: true, "Better"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.WaitForFinishAsync(id)).Is("completed").ShouldBeTrue();
    }

    [Fact]
    public async Task Pause_SurvivesAServerRestart_AndResumesOnTheNextServer()
    {
        Guid id;
        await using (var first = await _server.StartAsync())
        {
            using var client = first.CreateClient(first.BootstrapToken);
            id = await Kickoff(client, new JsonObject());
            await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);
        }

        await using var second = await _server.StartAsync();
        using var client2 = second.CreateClient(second.BootstrapToken);
        var status = await client2.WaitForStatusAsync(id, s => true);

        status.Is("running").ShouldBeTrue(status.ToJsonString());
        status["pending_human_input"]!["task_id"]!.GetValue<string>().ShouldBe("draft_reply");
        (await client2.ResumeAsync(Resume(id, approve: true, "ok"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client2.WaitForFinishAsync(id)).Is("completed").ShouldBeTrue();
    }

    [Fact]
    public async Task Resume_WithNewCrewWebhookUrl_SendsTheEndOfTheRunThere()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);
        var id = await Kickoff(client, new JsonObject { ["crewWebhookUrl"] = _receiver.Url("old") });
        await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);

        var resume = Resume(id, approve: true, "ok");
        resume["crewWebhookUrl"] = _receiver.Url("new");
        (await client.ResumeAsync(resume)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await _receiver.WaitForAcceptedAsync(1)).Single().Path.ShouldBe("/new");
        await client.WaitForDeliveriesSettledAsync(id);
        _receiver.Received.ShouldNotContain(r => r.Path == "/old");
    }

    [Fact]
    public async Task Resume_WithMissingFields_Returns422NamingThem()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);

        var (code, body) = await (await client.ResumeAsync(new JsonObject { ["execution_id"] = Guid.NewGuid().ToString() })).ReadJsonAsync();

        code.ShouldBe(HttpStatusCode.UnprocessableEntity);
        body["error"].ShouldNotBeNull();
        body["message"].ShouldNotBeNull();
        body["details"]!.AsObject().Select(p => p.Key).ShouldBe(["task_id", "human_feedback", "is_approve"], ignoreOrder: true);
    }

    [Fact]
    public async Task Resume_OfUnknownOrOtherUsersRun_Returns404()
    {
        await using var muster = await _server.StartAsync();
        using var org = muster.CreateClient(muster.BootstrapToken);
        using var alice = muster.CreateClient(await org.CreateTokenAsync("user", "alice"));
        using var bob = muster.CreateClient(await org.CreateTokenAsync("user", "bob"));
        var id = await Kickoff(alice, new JsonObject());
        await alice.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);

        var (unknown, unknownBody) = await (await alice.ResumeAsync(Resume(Guid.NewGuid(), approve: true, "x"))).ReadJsonAsync();
        var (other, _) = await (await bob.ResumeAsync(Resume(id, approve: true, "x"))).ReadJsonAsync();

        unknown.ShouldBe(HttpStatusCode.NotFound);
        unknownBody["error"]!.GetValue<string>().ShouldBe("Execution not found");
        other.ShouldBe(HttpStatusCode.NotFound);
        (await alice.GetJsonAsync($"/status/{id}")).Body["pending_human_input"].ShouldNotBeNull();
    }

    [Fact]
    public async Task Resume_OfAnotherTaskOrARunNotPaused_Returns400()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);
        var id = await Kickoff(client, new JsonObject());
        await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);

        var wrongTask = Resume(id, approve: true, "x");
        wrongTask["task_id"] = "some_other_task";
        var (code, body) = await (await client.ResumeAsync(wrongTask)).ReadJsonAsync();
        code.ShouldBe(HttpStatusCode.BadRequest);
        body["message"]!.GetValue<string>().ShouldBe(
            "Execution is not in pending human input state for task 'some_other_task': the execution awaits review of task 'draft_reply'");

        (await client.ResumeAsync(Resume(id, approve: true, "x"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await client.WaitForFinishAsync(id);
        var (again, againBody) = await (await client.ResumeAsync(Resume(id, approve: true, "x"))).ReadJsonAsync();
        again.ShouldBe(HttpStatusCode.BadRequest);
        againBody["message"]!.GetValue<string>().ShouldBe("Execution is not in pending human input state");
    }

    [Fact]
    public async Task RefusedWebhookUrls_AtKickoffAndResume_Return422NamingTheField()
    {
        await using var muster = await _server.StartAsync(allowPrivateNetworks: false);
        using var client = muster.CreateClient(muster.BootstrapToken);

        using var refused = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["question"] = "q" },
            ["crewWebhookUrl"] = "http://169.254.169.254/latest/meta-data/",
        });
        var (kickoffCode, kickoffBody) = await refused.ReadJsonAsync();
        kickoffCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        kickoffBody["details"]!["crewWebhookUrl"]!.GetValue<string>().ShouldContain("link-local");

        var id = await Kickoff(client, new JsonObject());
        await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);
        var resume = Resume(id, approve: true, "ok");
        resume["humanInputWebhook"] = new JsonObject { ["url"] = _receiver.Url("review") };
        var (resumeCode, resumeBody) = await (await client.ResumeAsync(resume)).ReadJsonAsync();

        resumeCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        resumeBody["details"]!["humanInputWebhook.url"]!.GetValue<string>().ShouldContain("loopback");
        (await client.GetJsonAsync($"/status/{id}")).Body["pending_human_input"].ShouldNotBeNull();
    }

    private static JsonObject Resume(Guid id, bool approve, string feedback) => new()
    {
        ["execution_id"] = id.ToString(),
        ["task_id"] = "draft_reply",
        ["human_feedback"] = feedback,
        ["is_approve"] = approve,
    };

    private static async Task<Guid> Kickoff(HttpClient client, JsonObject body)
    {
        body["inputs"] = new JsonObject { ["question"] = "How do I reset my password?" };
        body["meta"] = new JsonObject { ["ticket"] = "T-7" };
        using var response = await client.PostKickoffAsync(body);
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        return Guid.Parse(json["kickoff_id"]!.GetValue<string>());
    }
}
