using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Clients;

/// <summary>
/// One server in the documented shape (the default) serving both kinds of client at once: a token created with
/// <c>status_shape: live</c> gets the live service's shape, which Semantic Kernel and crewAI-tools need, while the other
/// tokens keep the documented one (COMPATIBILITY.md).
/// </summary>
public sealed class ClientShapeTests(ClientShapeTests.Server server) : IClassFixture<ClientShapeTests.Server>
{
    private const string Doomed = "doomed-topic";

    [Fact]
    public async Task LiveShapeToken_OnACompletedRun_GivesEveryClientTheOutputString()
    {
        using var live = await server.TokenAsync("live");
        var id = await live.KickoffAsync(new JsonObject { ["topic"] = "live success" });

        var status = await WaitUntilDoneAsync(live, id);
        var output = await server.OutputAsync(id);

        status["state"]!.GetValue<string>().ShouldBe("SUCCESS");
        CrewAiTools.Outcome(status).ShouldBe(output);
        SemanticKernelPython.StatusProblems(status).ShouldBeEmpty();
        var dotnet = SemanticKernelDotNet.Read(status.ToJsonString());
        dotnet.State.ShouldBe(SemanticKernelDotNet.KickoffState.Success);
        dotnet.Result.ShouldBe(output);
        dotnet.LastStep.ShouldNotBeNull().ShouldContainKey("task_id");
    }

    [Fact]
    public async Task DocumentedShape_OnTheSameRun_BreaksBothClients_AsCompatibilityMdFound()
    {
        using var live = await server.TokenAsync("live");
        using var documented = await server.TokenAsync("documented");
        using var serverDefault = server.Fixture.CreateClient(server.Fixture.BootstrapToken);
        var id = await live.KickoffAsync(new JsonObject { ["topic"] = "documented success" });
        await WaitUntilDoneAsync(live, id);
        var output = await server.OutputAsync(id);

        foreach (var client in new[] { documented, serverDefault })
        {
            var (status, body) = await client.GetJsonAsync($"/status/{id}");
            status.ShouldBe(HttpStatusCode.OK);
            body["status"]!.GetValue<string>().ShouldBe("completed");
            body["result"]!["output"]!.GetValue<string>().ShouldBe(output);
            // crewAI-tools hands back the text of the result object; .NET Semantic Kernel cannot read it at all.
            CrewAiTools.Outcome(body).ShouldNotBe(output);
            Should.Throw<JsonException>(() => SemanticKernelDotNet.Read(body.ToJsonString()));
        }
    }

    [Fact]
    public async Task LiveShapeToken_OnAFailedRun_CarriesTheReasonInResultAndError()
    {
        using var live = await server.TokenAsync("live");
        using var documented = await server.TokenAsync("documented");
        var id = await live.KickoffAsync(new JsonObject { ["topic"] = Doomed });

        var status = await WaitUntilDoneAsync(live, id);
        var (_, documentedBody) = await documented.GetJsonAsync($"/status/{id}");

        status["state"]!.GetValue<string>().ShouldBe("FAILED");
        var reason = status["error"]!.GetValue<string>();
        reason.ShouldContain("the simulated provider refuses");
        status["result"]!.GetValue<string>().ShouldBe(reason);
        CrewAiTools.Outcome(status).ShouldContain(reason);
        SemanticKernelPython.StatusProblems(status).ShouldBeEmpty();
        SemanticKernelDotNet.FailureMessage(SemanticKernelDotNet.Read(status.ToJsonString())).ShouldEndWith(reason);
        documentedBody["status"]!.GetValue<string>().ShouldBe("error");
        documentedBody["error"]!.GetValue<string>().ShouldBe(reason);
        documentedBody.ContainsKey("result").ShouldBeFalse();
    }

    [Fact]
    public async Task LiveShapeToken_WhileTheRunIsUnderWay_SendsResultAndLastStepAsNull()
    {
        using var hold = AnswerHold.About(server.Fixture.Simulator, "held topic");
        using var live = await server.TokenAsync("live");
        var id = await live.KickoffAsync(new JsonObject { ["topic"] = "held topic" });
        await hold.WaitForCallAsync();

        var (status, body) = await live.GetJsonAsync($"/status/{id}");

        status.ShouldBe(HttpStatusCode.OK);
        body["state"]!.GetValue<string>().ShouldBe("RUNNING");
        body.ContainsKey("result").ShouldBeTrue(body.ToJsonString());
        body["result"].ShouldBeNull();
        body.ContainsKey("last_step").ShouldBeTrue(body.ToJsonString());
        body["last_step"].ShouldBeNull();
        SemanticKernelPython.StatusProblems(body).ShouldBeEmpty();
        SemanticKernelDotNet.Read(body.ToJsonString()).State.ShouldBe(SemanticKernelDotNet.KickoffState.Running);
        hold.Release();
        await WaitUntilDoneAsync(live, id);
    }

    [Fact]
    public async Task FinishedRun_ReadByTokensOfEachShapeInTurn_AnswersEachInItsOwnShape()
    {
        using var live = await server.TokenAsync("live");
        using var documented = await server.TokenAsync("documented");
        var id = await live.KickoffAsync(new JsonObject { ["topic"] = "cached shapes" });
        await WaitUntilDoneAsync(live, id);

        // The finished run is cached with its serialized body: each shape must keep its own.
        var shapes = new List<string>();
        foreach (var client in new[] { live, live, documented, documented, live })
        {
            var (_, body) = await client.GetJsonAsync($"/status/{id}");
            shapes.Add(body["result"] is JsonObject ? "documented" : body["result"]!.GetValueKind() == JsonValueKind.String ? "live" : "?");
        }

        shapes.ShouldBe(["live", "live", "documented", "documented", "live"]);
    }

    [Fact]
    public async Task Inputs_FollowTheTokensShape()
    {
        using var live = await server.TokenAsync("live");
        using var documented = await server.TokenAsync("documented");

        var (_, liveInputs) = await live.GetJsonAsync("/inputs");
        var (_, documentedInputs) = await documented.GetJsonAsync("/inputs");

        SemanticKernelPython.AcceptsInputs(liveInputs).ShouldBeTrue(liveInputs.ToJsonString());
        documentedInputs["inputs"].ShouldBeOfType<JsonArray>().Select(n => n!.GetValue<string>()).ShouldBe(["topic"]);
    }

    [Fact]
    public async Task CreateToken_WithAnUnknownStatusShape_Returns422NamingTheField()
    {
        using var org = server.Fixture.CreateClient(server.Fixture.BootstrapToken);

        using var response = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "org", ["status_shape"] = "legacy" });
        var (status, body) = await response.ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        body["detail"]![0]!["loc"]!.GetValue<string>().ShouldBe("body.status_shape");
    }

    private static Task<JsonObject> WaitUntilDoneAsync(HttpClient client, Guid id) => Eventually.Until(
        async () => (await client.GetJsonAsync($"/status/{id}")).Body,
        CrewAiTools.IsDone,
        $"run {id} never reached SUCCESS or FAILED");

    /// <summary>The documented-shape server, with a simulator that refuses every request about <see cref="Doomed"/>.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public MusterServerFixture Fixture { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Fixture = await MusterServerFixture.StartAsync();
            Fixture.Simulator.Responder = request => request.Mentions(Doomed) ? SimulatedReply.Error(400, "the simulated provider refuses this request") : null;
        }

        public async Task DisposeAsync() => await Fixture.DisposeAsync();

        /// <summary>A client with a new organization token of <paramref name="shape"/>.</summary>
        public async Task<HttpClient> TokenAsync(string shape)
        {
            using var org = Fixture.CreateClient(Fixture.BootstrapToken);
            using var response = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "org", ["status_shape"] = shape });
            var (status, body) = await response.ReadJsonAsync();
            status.ShouldBe(HttpStatusCode.Created, body.ToJsonString());
            body["info"]!["status_shape"]!.GetValue<string>().ShouldBe(shape);
            return Fixture.CreateClient(body["token"]!.GetValue<string>());
        }

        /// <summary>The run's final output, from its history record.</summary>
        public async Task<string> OutputAsync(Guid id)
        {
            using var org = Fixture.CreateClient(Fixture.BootstrapToken);
            var (_, record) = await org.GetJsonAsync($"/api/crew-runs/{id}");
            return record["result"]!.GetValue<string>();
        }
    }
}
