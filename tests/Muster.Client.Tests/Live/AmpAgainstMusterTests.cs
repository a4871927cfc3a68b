using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Contracts.Amp;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Client.Tests.Live;

/// <summary>The SDK's AMP calls, the canonical kickoff-and-poll flow and error mapping, against a real Muster server.</summary>
public sealed class AmpAgainstMusterTests(LiveServer live) : IClassFixture<LiveServer>
{
    [Fact]
    public async Task HealthAndInputs_AnswerFromTheRealServer()
    {
        var client = live.Client();

        (await client.IsHealthyAsync()).ShouldBeTrue();
        (await client.GetInputsAsync()).Inputs.ShouldBe(["topic"]);
        (await live.Client("support").GetInputsAsync()).Inputs.ShouldBe(["question"]);
    }

    [Fact]
    public async Task KickoffAndWait_FollowsTheArazzoFlowToCompletedWithOutputTasksAndTime()
    {
        live.ResetSimulator(latency: TimeSpan.FromMilliseconds(100));
        var progress = new ListProgress<StatusResponse>();

        var outcome = await live.Client().KickoffAndWaitAsync(new JsonObject { ["topic"] = "owls" }, LiveServer.FastPolling, progress);

        outcome.Succeeded.ShouldBeTrue(outcome.Error);
        outcome.Output.ShouldNotBeNullOrWhiteSpace();
        outcome.Tasks.Select(t => t.TaskId).ShouldBe(["research_task", "report_task"]);
        outcome.ExecutionTime.ShouldNotBeNull().ShouldBeGreaterThan(0);
        progress.Reports.ShouldNotBeEmpty();
        progress.Reports[^1].Status.ShouldBe("completed");
        progress.Reports.SkipLast(1).ShouldAllBe(r => r.Status == "running");
        outcome.Polls.ShouldBe(progress.Reports.Count);
    }

    [Fact]
    public async Task KickoffAndWait_WhenTheLlmFails_EndsOnErrorWithTheMessage()
    {
        live.ResetSimulator(responder: _ => SimulatedReply.Error(400, "the simulated provider refuses this request"));

        var outcome = await live.Client().KickoffAndWaitAsync(new JsonObject { ["topic"] = "failing" }, LiveServer.FastPolling);

        outcome.Succeeded.ShouldBeFalse();
        outcome.Status.ShouldBe("error");
        outcome.Error.ShouldNotBeNullOrWhiteSpace();
        outcome.Output.ShouldBeNull();
        // crewAI-tools ends its poll on state.lower() == "failed" only (COMPATIBILITY.md).
        outcome.FinalStatus.State.ShouldBe("FAILED");
        live.ResetSimulator();
    }

    [Fact]
    public async Task Kickoff_WithoutARequiredInput_Throws422WithTheAmpErrorBody()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => live.Client().KickoffAsync(new JsonObject()));

        ex.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        ex.Error.ShouldNotBeNull().Error.ShouldBe("Validation Error");
        ex.Error.Details!["missing_inputs"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["topic"]);
        ex.ServerMessage.ShouldBe("Validation Error: Missing required inputs (topic)");
        ex.Message.ShouldBe("The server answered 422 UnprocessableEntity: Validation Error: Missing required inputs (topic)");
    }

    [Fact]
    public async Task AnyCall_WithAWrongToken_Throws401()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => live.Client(token: "mst_wrong").GetInputsAsync());

        ex.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        ex.ServerMessage.ShouldBe("Unauthorized: Invalid or missing bearer token");
    }

    [Fact]
    public async Task Status_OfAnUnknownRun_Throws404ExecutionNotFound()
    {
        var id = Guid.NewGuid();

        var ex = await Should.ThrowAsync<MusterApiException>(() => live.Client().GetStatusAsync(id));

        ex.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        ex.Error!.Error.ShouldBe("Execution not found");
        ex.ServerMessage.ShouldBe($"Execution not found: No execution found with ID: {id}");
    }

    [Fact]
    public async Task Stop_OfARunningRun_StopsIt_AndOfAFinishedOneThrows400WithTheDetail()
    {
        live.ResetSimulator();
        using var research = AnswerHold.About(live.Server.Simulator, "stopping Researcher");
        var client = live.Client();
        var running = (await client.KickoffAsync(new JsonObject { ["topic"] = "stopping" })).KickoffId;
        await LiveServer.PollAsync(client, running, s => s.State == "RUNNING");

        var stopped = await client.StopAsync(running);
        var outcome = await client.WaitForCompletionAsync(running, LiveServer.FastPolling);
        var ex = await Should.ThrowAsync<MusterApiException>(() => client.StopAsync(running));

        stopped.ShouldBe(new StopResponse("stopped", running));
        outcome.Status.ShouldBe("error");
        outcome.Error.ShouldNotBeNull().ShouldStartWith("Stopped by");
        ex.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ex.Error.ShouldBeNull();
        ex.Detail.ShouldBe("Cannot stop execution. Current state: REVOKED");
        ex.ServerMessage.ShouldBe("Cannot stop execution. Current state: REVOKED");
    }

    [Fact]
    public async Task Resume_RetryThenApprove_OfAHumanInputTask_CompletesTheRun()
    {
        live.ResetSimulator();
        var client = live.Client("support");
        var id = (await client.KickoffAsync(new JsonObject { ["question"] = "Can I export?" })).KickoffId;
        var paused = await LiveServer.PollAsync(client, id, s => s.PendingHumanInput is not null);
        paused.PendingHumanInput!.TaskId.ShouldBe("draft_reply");

        var retry = await client.ResumeAsync(new ResumeRequest { ExecutionId = id.ToString(), TaskId = "draft_reply", HumanFeedback = "Shorter, please", IsApprove = false });
        // Once the redone task awaits review again, a resume of another task is told which one it awaits.
        await LiveServer.PollAsync(client, id, s => s.PendingHumanInput is not null);
        var wrongTask = await Should.ThrowAsync<MusterApiException>(() =>
            client.ResumeAsync(new ResumeRequest { ExecutionId = id.ToString(), TaskId = "no_such_task", HumanFeedback = string.Empty, IsApprove = true }));
        var approve = await client.ResumeAsync(new ResumeRequest { ExecutionId = id.ToString(), TaskId = "draft_reply", HumanFeedback = string.Empty, IsApprove = true });
        var outcome = await client.WaitForCompletionAsync(id, LiveServer.FastPolling);

        retry.Status.ShouldBe("retrying");
        wrongTask.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        wrongTask.ServerMessage.ShouldBe(
            "Bad Request: Execution is not in pending human input state for task 'no_such_task': the execution awaits review of task 'draft_reply'");
        approve.Status.ShouldBe("resumed");
        outcome.Succeeded.ShouldBeTrue(outcome.Error);
        outcome.Tasks.ShouldHaveSingleItem().TaskId.ShouldBe("draft_reply");
        live.Server.Simulator.Requests.ShouldContain(r => r.Mentions("Shorter, please"));
    }

    [Fact]
    public async Task Resume_WithoutRequiredFields_Throws422NamingThem()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => live.Client().ResumeAsync(new ResumeRequest()));

        ex.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        ex.Error!.Details!.Select(d => d.Key).ShouldBe(["execution_id", "task_id", "human_feedback", "is_approve"], ignoreOrder: true);
        ex.ServerMessage.ShouldStartWith("Validation Error: Invalid fields:");
    }

    [Fact]
    public async Task AddMusterClient_ResolvesAClientThatTalksToTheServer()
    {
        var services = new ServiceCollection();
        services.AddMusterClient(o =>
        {
            o.BaseUrl = live.Server.BaseAddress;
            o.Token = live.Server.BootstrapToken;
            o.Crew = "research";
        });
        await using var provider = services.BuildServiceProvider();

        var inputs = await provider.GetRequiredService<MusterClient>().GetInputsAsync();

        inputs.Inputs.ShouldBe(["topic"]);
    }
}
