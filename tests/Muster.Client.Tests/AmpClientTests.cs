using System.Net;
using System.Text.Json.Nodes;
using Muster.Contracts.Amp;

namespace Muster.Client.Tests;

public sealed class AmpClientTests : ClientTestBase
{
    [Fact]
    public async Task GetInputs_ReturnsTheCrewsInputNames()
    {
        var inputs = await Client().GetInputsAsync();

        inputs.Inputs.ShouldBe(["topic"]);
    }

    [Fact]
    public async Task Kickoff_SendsInputsTokenAndIdempotencyKey()
    {
        var response = await Client().KickoffAsync(new JsonObject { ["topic"] = "bees" }, idempotencyKey: "key-1");

        var run = Server.Run(response.KickoffId).ShouldNotBeNull();
        ((string?)run.Inputs["topic"]).ShouldBe("bees");
        run.IdempotencyKey.ShouldBe("key-1");
    }

    [Fact]
    public async Task Crew_RoutesAmpCallsUnderCrewsName()
    {
        await Client(crew: "my crew").GetInputsAsync();

        Server.Log.ShouldContain("GET /crews/my%20crew/inputs");
    }

    [Fact]
    public async Task Kickoff_WithMissingInput_ThrowsApiExceptionWith422AndServerMessage()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => Client().KickoffAsync(new JsonObject { ["other"] = 1 }));

        ex.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        ex.Error.ShouldNotBeNull().Message.ShouldBe("Missing required inputs: topic");
        ex.Message.ShouldContain("Missing required inputs: topic");
        ex.RawBody.ShouldContain("Validation error");
    }

    [Fact]
    public async Task AnyCall_WithWrongToken_ThrowsApiExceptionWith401()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => Client(token: "wrong").GetInputsAsync());

        ex.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        ex.Error!.Error.ShouldBe("Unauthorized");
        ex.Message.ShouldContain("Invalid or missing bearer token");
    }

    [Fact]
    public async Task Status_OfUnknownExecution_ThrowsApiExceptionWith404()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => Client().GetStatusAsync(Guid.NewGuid()));

        ex.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        ex.Error!.Error.ShouldBe("Execution not found");
    }

    [Fact]
    public async Task Status_WhileRunning_ReadsProgress()
    {
        var client = Client();
        var kickoff = await client.KickoffAsync(new JsonObject { ["topic"] = "ants" });

        var status = await client.GetStatusAsync(kickoff.KickoffId);

        status.Status.ShouldBe("running");
        status.Progress.ShouldBe(new StatusProgress(0, 4));
        status.CurrentTask.ShouldBe("research");
    }

    [Fact]
    public async Task Stop_RunningExecution_ReturnsStopped_AndFinishedOneThrowsWithDetail()
    {
        var client = Client();
        Server.RunningPolls = 0;
        var running = await client.KickoffAsync(new JsonObject { ["topic"] = "x" });
        var finished = await client.KickoffAsync(new JsonObject { ["topic"] = "y" });
        await client.GetStatusAsync(finished.KickoffId);

        var stopped = await client.StopAsync(running.KickoffId);
        var ex = await Should.ThrowAsync<MusterApiException>(() => client.StopAsync(finished.KickoffId));

        stopped.ShouldBe(new StopResponse("stopped", running.KickoffId));
        ex.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ex.Error.ShouldBeNull();
        ex.Message.ShouldContain("Cannot stop execution. Current state: SUCCESS");
    }

    [Fact]
    public async Task Resume_SendsFeedbackAndReadsTheAnswer()
    {
        var response = await Client().ResumeAsync(new ResumeRequest
        {
            ExecutionId = Guid.NewGuid().ToString(), TaskId = "review", HumanFeedback = "Looks good", IsApprove = true,
        });

        response.ShouldBe(new ResumeResponse("resumed", "task review"));
    }
}
