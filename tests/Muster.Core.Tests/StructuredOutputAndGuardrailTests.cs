using System.Text.Json.Nodes;
using Muster.Core.Engine;
using Muster.Core.Guardrails;
using Muster.Simulator;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

/// <summary>output_json and guardrails, through the simulator over HTTP.</summary>
public sealed class StructuredOutputAndGuardrailTests : IAsyncLifetime
{
    private static readonly JsonObject Schema = (JsonObject)JsonNode.Parse("""
        {"type":"object","properties":{"title":{"type":"string"},"score":{"type":"integer","minimum":0}},"required":["title","score"]}
        """)!;

    private SimulatedEngine _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatedEngine.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task OutputJson_InvalidAnswers_AreSentBackWithTheErrors_ThenTheValidOneIsTheJsonDict()
    {
        _sim.Simulator.Enqueue(
            SimulatedReply.Text("Here is my review: great."),
            SimulatedReply.Text("""{"title": "Dune", "score": "high"}"""),
            SimulatedReply.Text("```json\n{\"title\": \"Dune\", \"score\": 9}\n```"));
        var crew = Crew([Agent("critic", "Critic")], Task("review", "critic") with { OutputJson = Schema.DeepClone() });

        var outcome = await _sim.RunAsync(crew);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        var output = outcome.Output!.TasksOutput.ShouldHaveSingleItem();
        output.JsonDict!.ToJsonString().ShouldBe("""{"title":"Dune","score":9}""");
        outcome.Output.JsonDict!["score"]!.GetValue<int>().ShouldBe(9);

        var requests = _sim.Simulator.Requests;
        requests.Count.ShouldBe(3);
        requests[0].ResponseFormat!["type"]!.GetValue<string>().ShouldBe("json_schema");
        requests[0].ResponseFormat!["json_schema"]!["schema"]!["required"]!.ToJsonString().ShouldBe("""["title","score"]""");
        requests[0].LastUserMessage!.ShouldContain("MUST be a single JSON object");
        requests[1].LastUserMessage!.ShouldContain("not valid JSON");
        requests[2].LastUserMessage!.ShouldContain("/score");
        requests[2].Messages.ShouldContain(m => m.Role == "assistant" && m.Content!.Contains("\"high\""));

        _sim.Sink.All<OutputValidationFailed>().Select(e => e.Attempt).ShouldBe([1, 2]);
        _sim.Sink.Single<TaskCompleted>().OutputJson!["title"]!.GetValue<string>().ShouldBe("Dune");
        _sim.Sink.Single<CrewKickoffCompleted>().ResultJson!["score"]!.GetValue<int>().ShouldBe(9);
    }

    [Fact]
    public async Task OutputJson_ThatNeverFits_FailsTheTaskAfterTheRetryLimit_AndUsesPromptOnlyWithoutProviderSupport()
    {
        _sim.Simulator.Enqueue(SimulatedReply.Text("""{"title": 1}"""), SimulatedReply.Text("""{"title": 2}"""), SimulatedReply.Text("never asked"));
        var crew = Crew([Agent("critic", "Critic")], Task("review", "critic") with { OutputJson = Schema.DeepClone() });

        var outcome = await _sim.RunAsync(crew, outputJsonMaxRetries: 1, jsonSchemaResponseFormat: false);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldStartWith("Task 'review' failed: The answer did not match output_json after 1 retry");
        outcome.Error.ShouldContain("score");
        _sim.Simulator.Requests.Count.ShouldBe(2);
        _sim.Simulator.Requests[0].ResponseFormat.ShouldBeNull();
        _sim.Simulator.Requests[0].LastUserMessage!.ShouldContain("\"required\":[\"title\",\"score\"]");
        _sim.Sink.Types.ShouldContain("task_failed");
    }

    [Fact]
    public async Task LlmGuardrail_FailingThenPassing_RedoesTheTaskWithTheFeedback()
    {
        _sim.Simulator.Enqueue(
            SimulatedReply.Text("A short note."),
            SimulatedReply.Text("""{"valid": false, "feedback": "It never names the product."}"""),
            SimulatedReply.Text("A short note about Muster."),
            SimulatedReply.Text("""{"valid": true, "feedback": null}"""));
        var crew = Crew([Agent("writer", "Writer")], Task("note", "writer") with { Guardrail = "The answer must name the product Muster." });

        var outcome = await _sim.RunAsync(crew);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        outcome.Output!.Raw.ShouldBe("A short note about Muster.");
        var requests = _sim.Simulator.Requests;
        requests.Count.ShouldBe(4);
        requests[1].Messages[0].Content!.ShouldContain("Guardrail Agent");
        requests[1].LastUserMessage!.ShouldContain("A short note.");
        requests[1].LastUserMessage!.ShouldContain("The answer must name the product Muster.");
        requests[1].ResponseFormat!["json_schema"]!["name"]!.GetValue<string>().ShouldBe("guardrail_verdict");
        requests[2].Messages[0].Content!.ShouldContain("You are Writer");
        requests[2].LastUserMessage!.ShouldContain("It never names the product.");
        requests[2].LastUserMessage!.ShouldContain("A short note.");
        var verdicts = _sim.Sink.All<LlmGuardrailCompleted>();
        verdicts.Select(e => e.Success).ShouldBe([false, true]);
        verdicts.Select(e => e.RetryCount).ShouldBe([0, 1]);
        verdicts[0].Error.ShouldBe("It never names the product.");
        outcome.Output.Usage.SuccessfulRequests.ShouldBe(4);
    }

    [Fact]
    public async Task RegisteredGuardrail_ThatNeverPasses_FailsTheRunWithItsLastReason_WithoutAskingAnLlm()
    {
        var attempts = 0;
        var guardrails = new GuardrailRegistry([new GuardrailRegistration("under_ten_words", (output, _) =>
        {
            attempts++;
            var words = output.Raw.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            return ValueTask.FromResult(words < 10 ? GuardrailResult.Pass() : GuardrailResult.Fail($"attempt {attempts}: {words} words, the limit is 9"));
        })]);
        var tooLong = "one two three four five six seven eight nine ten eleven";
        _sim.Simulator.Enqueue(SimulatedReply.Text(tooLong), SimulatedReply.Text(tooLong), SimulatedReply.Text(tooLong));
        var crew = Crew([Agent("writer", "Writer")], Task("note", "writer") with { Guardrail = "under_ten_words", GuardrailMaxRetries = 2 });

        var outcome = await _sim.RunAsync(crew, guardrails: guardrails);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error.ShouldBe("Task 'note' failed: The output failed its guardrail after 2 retries: attempt 3: 11 words, the limit is 9");
        attempts.ShouldBe(3);
        _sim.Simulator.Requests.Count.ShouldBe(3);
        _sim.Simulator.Requests.ShouldAllBe(r => r.Messages[0].Content!.Contains("You are Writer"));
        _sim.Sink.All<LlmGuardrailStarted>().ShouldAllBe(e => e.Kind == "function");
        _sim.Sink.Single<TaskFailed>().Error.ShouldContain("attempt 3");
        _sim.Sink.Single<CrewKickoffFailed>().Error.ShouldBe(outcome.Error);
    }
}
