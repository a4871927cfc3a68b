using System.Net;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Costs;

/// <summary>
/// A budget holds across a restart (a run paused for review, resumed by the next server) and a takeover (a server killed
/// mid-run, its run continued by the next): the run's spend comes from its stored events, each call counted once.
/// </summary>
public sealed class BudgetRestartTests : ServerProcessTest
{
    private readonly string _token = "mst_budget_test_" + Guid.NewGuid().ToString("N");

    private void WriteCrews()
    {
        const string Agent = "worker:\n  role: Worker\n  goal: Work\n  backstory: Steady.";
        TestCrews.Write(Folder.Combine("crews"), "reviewed", "name: reviewed\nbudget:\n  max_total_tokens: 900", Agent,
            "draft:\n  description: Draft the note.\n  expected_output: A draft.\n  agent: worker\n  human_input: true\n" +
            "final:\n  description: Finalise the note.\n  expected_output: A note.\n  agent: worker");
        TestCrews.Write(Folder.Combine("crews"), "relay", "name: relay\nbudget:\n  max_total_tokens: 900", Agent,
            "first:\n  description: Do the first step.\n  expected_output: A step.\n  agent: worker\n" +
            "second:\n  description: Do the second step.\n  expected_output: A step.\n  agent: worker");
        // Every answer is worth 500 tokens: two calls cross the budget of 900, one does not.
        Simulator.Responder = _ => SimulatedReply.Text("Done.", 400, 100);
    }

    [Fact]
    public async Task ARunPausedForReview_ResumedByTheNextServer_CountsWhatItSpentBefore()
    {
        WriteCrews();
        Guid id;
        await using (var first = await StartAsync())
        {
            using var client = first.CreateClient(_token);
            id = await client.KickoffAsync(new JsonObject(), "/crews/reviewed");
            await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null, "/crews/reviewed");
        }

        await using var second = await StartAsync();
        using var next = second.CreateClient(_token);
        using var resumed = await next.PostRawAsync("/crews/reviewed/resume",
            new JsonObject { ["execution_id"] = id.ToString(), ["task_id"] = "draft", ["human_feedback"] = "Fine.", ["is_approve"] = true }.ToJsonString(),
            "application/json");
        resumed.StatusCode.ShouldBe(HttpStatusCode.OK, await resumed.Content.ReadAsStringAsync());
        var done = await next.WaitForFinishAsync(id, "/crews/reviewed", Eventually.ProcessLimit);

        done["error"]!.GetValue<string>().ShouldBe("Budget exceeded: 1,000 of 900 tokens", done.ToJsonString());
    }

    [Fact]
    public async Task ARunTakenOverAfterACrash_CountsWhatItSpentBefore_Once()
    {
        WriteCrews();
        Guid id;
        using (var second = AnswerHold.About(Simulator, "Do the second step"))
        {
            await using var first = await StartAsync();
            using var client = first.CreateClient(_token);
            id = await client.KickoffAsync(new JsonObject(), "/crews/relay");
            await second.WaitForCallAsync(Eventually.ProcessLimit);
            await first.KillAsync();
        }

        await using var next = await StartAsync();
        using var nextClient = next.CreateClient(_token);
        var done = await nextClient.WaitForFinishAsync(id, "/crews/relay", Eventually.ProcessLimit);

        // The first step's call (stored), then the second step's on this server: 1,000. The call the killed server was
        // waiting on never answered and costs nothing.
        done["error"]!.GetValue<string>().ShouldBe("Budget exceeded: 1,000 of 900 tokens", done.ToJsonString());
        var events = JsonNode.Parse(await nextClient.GetStringAsync($"/api/crew-runs/{id}/events"))!.AsArray();
        events.Count(e => e!["type"]!.GetValue<string>() == "llm_call_completed").ShouldBe(2);
    }

    private Task<MusterServerProcess> StartAsync() =>
        MusterServerProcess.StartAsync(TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token), Folder.Path);
}
