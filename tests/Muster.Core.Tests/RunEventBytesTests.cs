using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Guardrails;
using Muster.Simulator;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

/// <summary>
/// The exact bytes of every event type's <c>data</c>, as the engine emits them over the simulator. Storage rows, SSE,
/// the events API and the webhook event stream all carry these bytes, so they must not change by accident: the
/// expected lines were recorded from the engine before its events became typed records.
/// </summary>
public sealed class RunEventBytesTests : IAsyncLifetime
{
    private static readonly JsonObject Schema = (JsonObject)JsonNode.Parse("""
        {"type":"object","properties":{"title":{"type":"string"},"score":{"type":"number"}},"required":["title","score"]}
        """)!;

    // Every clock read the engine makes between two LLM answers sees the same time; each answer moves it on 1.25 s.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Queue<SimulatedReply> _replies = new();
    private SimulatedEngine _sim = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatedEngine.StartAsync();
        _sim.Simulator.Responder = _ =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(1250));
            return _replies.Dequeue();
        };
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task ASequentialCrew_WithToolsDelegationOutputJsonAndAGuardrail_EmitsTheRecordedBytes()
    {
        Script(
            SimulatedReply.ToolCalls(
                new SimulatedToolCall("calculator", """{"expression":"6 * 7"}"""),
                new SimulatedToolCall("nope", """{"q":"<b>é & 'x'</b>","n":[1,2.5,true,null]}""")),
            SimulatedReply.ToolCalls(new SimulatedToolCall("delegate_work_to_coworker", """{"task":"Write a line","context":"Tides & waves","coworker":"Writer"}""")),
            SimulatedReply.Text("A line & more", 5, 3, 1),
            SimulatedReply.Text("Facts: 42 — \"quoted\" <ok> 🌊", 11, 7, 3),
            SimulatedReply.Text("not json", 4, 2),
            SimulatedReply.Text("""{"title": "Tides", "score": 9.5}""", 6, 4),
            SimulatedReply.Text("No mention", 3, 2),
            SimulatedReply.Text("""{"valid": false, "feedback": "Say tides."}""", 8, 5),
            SimulatedReply.Text("Tides it is.", 3, 3),
            SimulatedReply.Text("""{"valid": true, "feedback": null}""", 8, 5));
        var researcher = Agent("researcher", "Researcher", tools: "calculator") with { AllowDelegation = true };
        var crew = Crew(
            [researcher, Agent("writer", "Writer")],
            Task("facts", "researcher"),
            Task("summary", "writer") with { OutputJson = Schema.DeepClone() },
            Task("check", "writer") with { Guardrail = "Must mention tides." }) with
        {
            Name = "golden <crew>",
            InputValues = new JsonObject { ["topic"] = "tides & <waves> \"é\"", ["year"] = 2026, ["nested"] = new JsonObject { ["a"] = new JsonArray(1, 2.5, true, null) } },
        };

        var outcome = await _sim.RunAsync(crew, timeProvider: _time);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        Lines().ShouldBe(Golden.Sequential);
    }

    [Fact]
    public async Task AHumanInputTask_PausesWithTheRecordedBytes_AndItsApproval_CompletesWithThem()
    {
        Script(SimulatedReply.Text("Draft for review", 9, 4));
        var crew = Crew([Agent("writer", "Writer")], Task("approve", "writer", humanInput: true)) with { InputValues = [] };

        var paused = await _sim.RunAsync(crew, timeProvider: _time);

        paused.Kind.ShouldBe(RunOutcomeKind.AwaitingHuman);
        var pending = paused.PendingReview! with { JsonDict = new JsonObject { ["verdict"] = "ok", ["score"] = 0.1 } };
        var resumed = await _sim.RunAsync(
            crew,
            new RunCheckpoint { LastSequence = _sim.Sink.Events.Count, PendingReview = pending, Review = new HumanReview("approve", "Fine.", true) },
            timeProvider: _time);

        resumed.Kind.ShouldBe(RunOutcomeKind.Completed, resumed.Error);
        Lines().ShouldBe(Golden.HumanInput);
    }

    [Fact]
    public async Task FailuresOfACoworkerAnLlmCallAndATask_EmitTheRecordedBytes()
    {
        Script(
            SimulatedReply.ToolCalls(new SimulatedToolCall("delegate_work_to_coworker", """{"task":"Check it","context":"None","coworker":"Writer"}""")),
            SimulatedReply.Error(500, "co-worker down"),
            SimulatedReply.Error(400, "bad <request>"));
        var researcher = Agent("researcher", "Researcher") with { AllowDelegation = true };
        var crew = Crew([researcher, Agent("writer", "Writer")], Task("doomed", "researcher")) with { InputValues = [] };

        var outcome = await _sim.RunAsync(crew, timeProvider: _time);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        Lines().ShouldBe(Golden.Failures);
    }

    [Fact]
    public async Task ARegisteredGuardrailFailingWithoutAReason_EmitsTheRecordedBytes()
    {
        Script(SimulatedReply.Text("Whatever", 2, 1));
        var guardrails = new GuardrailRegistry([new GuardrailRegistration("never", (_, _) => ValueTask.FromResult(new GuardrailResult(false)))]);
        var crew = Crew([Agent("writer", "Writer")], Task("note", "writer") with { Guardrail = "never", GuardrailMaxRetries = 0 });

        var outcome = await _sim.RunAsync(crew, guardrails: guardrails, timeProvider: _time);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        Lines().ShouldBe(Golden.FunctionGuardrail);
    }

    [Fact]
    public async Task APricedRunStoppedByItsBudget_EmitsTheRecordedBytes()
    {
        Script(
            SimulatedReply.ToolCalls(new SimulatedToolCall("calculator", """{"expression":"6 * 7"}""")),
            SimulatedReply.Text("never asked", 1, 1));
        var crew = Crew([Agent("researcher", "Researcher", tools: "calculator")], Task("facts", "researcher")) with
        {
            InputValues = [],
            Budget = new Muster.Contracts.CrewBudget { MaxLlmCalls = 1 },
        };

        var outcome = await _sim.RunAsync(crew, timeProvider: _time, prices: Prices(("sim/test-model", 2.5m, 10m)));

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        Lines().ShouldBe(Golden.Budget);
    }

    [Fact]
    public void TheRecordedScenarios_CoverEveryEventTypeTheEngineEmits()
    {
        var recorded = new[] { Golden.Sequential, Golden.HumanInput, Golden.Failures, Golden.FunctionGuardrail, Golden.Budget }
            .SelectMany(lines => lines)
            .Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)])
            .ToHashSet();
        var every = typeof(RunEventTypes).GetFields().Select(f => (string)f.GetValue(null)!);

        every.Where(type => !recorded.Contains(type)).ShouldBeEmpty();
    }

    private void Script(params SimulatedReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    private string[] Lines() => [.. _sim.Sink.Events.Select(e => $"{e.Type} {DataJson(e)}")];

    private static string DataJson(RunEvent runEvent) => RunEventJson.Serialize(runEvent.Data);

    /// <summary>Recorded from the engine as it was when events were JSON objects.</summary>
    private static class Golden
    {
        /// <summary>Recorded when costs and budgets came (crew_budget_exceeded, and cost_usd in token_usage).</summary>
        public static readonly string[] Budget =
        [
            """crew_kickoff_started {"crew_name":"test_crew","inputs":{},"total_tasks":1}""",
            """task_started {"task_name":"facts","task_id":"facts","agent":"Researcher","description":"Do the facts work carefully and well"}""",
            """agent_execution_started {"task_name":"facts","agent":"Researcher"}""",
            """llm_call_started {"task_name":"facts","agent":"Researcher","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"facts","agent":"Researcher","model":"sim/test-model","token_usage":{"total_tokens":50,"prompt_tokens":46,"completion_tokens":4,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":0.000155}}""",
            """tool_usage_started {"task_name":"facts","agent":"Researcher","tool_name":"calculator","tool_args":{"expression":"6 * 7"}}""",
            """tool_usage_finished {"task_name":"facts","agent":"Researcher","tool_name":"calculator","tool_args":{"expression":"6 * 7"},"output":"42"}""",
            """agent_step {"task_name":"facts","agent":"Researcher","prompt":"Do the facts work carefully and well\n\nThis is the expected criteria for your final answer: The facts result\nyou MUST return the actual complete content as the final answer, not a summary.","thought":"","tool":"calculator","tool_input":"{\u0022expression\u0022:\u00226 * 7\u0022}","result":"42"}""",
            """agent_execution_error {"task_name":"facts","agent":"Researcher","error":"Budget exceeded: 1 of 1 LLM calls"}""",
            """task_failed {"task_name":"facts","agent":"Researcher","error":"Budget exceeded: 1 of 1 LLM calls"}""",
            """crew_budget_exceeded {"budget":"max_llm_calls","limit":1,"spent":1,"error":"Budget exceeded: 1 of 1 LLM calls"}""",
            """crew_kickoff_failed {"error":"Budget exceeded: 1 of 1 LLM calls","token_usage":{"total_tokens":50,"prompt_tokens":46,"completion_tokens":4,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":0.000155},"execution_time":1.25}""",
        ];

        public static readonly string[] Sequential =
        [
            """crew_kickoff_started {"crew_name":"golden \u003Ccrew\u003E","inputs":{"topic":"tides \u0026 \u003Cwaves\u003E \u0022\u00E9\u0022","year":2026,"nested":{"a":[1,2.5,true,null]}},"total_tasks":3}""",
            """task_started {"task_name":"facts","task_id":"facts","agent":"Researcher","description":"Do the facts work carefully and well"}""",
            """agent_execution_started {"task_name":"facts","agent":"Researcher"}""",
            """llm_call_started {"task_name":"facts","agent":"Researcher","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"facts","agent":"Researcher","model":"sim/test-model","token_usage":{"total_tokens":54,"prompt_tokens":46,"completion_tokens":8,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """tool_usage_started {"task_name":"facts","agent":"Researcher","tool_name":"calculator","tool_args":{"expression":"6 * 7"}}""",
            """tool_usage_started {"task_name":"facts","agent":"Researcher","tool_name":"nope","tool_args":{"q":"\u003Cb\u003E\u00E9 \u0026 \u0027x\u0027\u003C/b\u003E","n":[1,2.5,true,null]}}""",
            """tool_usage_finished {"task_name":"facts","agent":"Researcher","tool_name":"calculator","tool_args":{"expression":"6 * 7"},"output":"42"}""",
            """agent_step {"task_name":"facts","agent":"Researcher","prompt":"Do the facts work carefully and well\n\nThis is the expected criteria for your final answer: The facts result\nyou MUST return the actual complete content as the final answer, not a summary.","thought":"","tool":"calculator","tool_input":"{\u0022expression\u0022:\u00226 * 7\u0022}","result":"42"}""",
            """tool_usage_error {"task_name":"facts","agent":"Researcher","tool_name":"nope","tool_args":{"q":"\u003Cb\u003E\u00E9 \u0026 \u0027x\u0027\u003C/b\u003E","n":[1,2.5,true,null]},"error":"Tool \u0027nope\u0027 does not exist. Available tools: calculator, delegate_work_to_coworker, ask_question_to_coworker."}""",
            """agent_step {"task_name":"facts","agent":"Researcher","prompt":"Do the facts work carefully and well\n\nThis is the expected criteria for your final answer: The facts result\nyou MUST return the actual complete content as the final answer, not a summary.","thought":"","tool":"nope","tool_input":"{\u0022q\u0022:\u0022\\u003Cb\\u003E\\u00E9 \\u0026 \\u0027x\\u0027\\u003C/b\\u003E\u0022,\u0022n\u0022:[1,2.5,true,null]}","result":"Error: Tool \u0027nope\u0027 does not exist. Available tools: calculator, delegate_work_to_coworker, ask_question_to_coworker."}""",
            """llm_call_started {"task_name":"facts","agent":"Researcher","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"facts","agent":"Researcher","model":"sim/test-model","token_usage":{"total_tokens":64,"prompt_tokens":58,"completion_tokens":6,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """tool_usage_started {"task_name":"facts","agent":"Researcher","tool_name":"Delegate work to coworker","tool_args":{"task":"Write a line","context":"Tides \u0026 waves","coworker":"Writer"}}""",
            """agent_execution_started {"task_name":"facts","agent":"Writer","delegated_by":"Researcher"}""",
            """llm_call_started {"task_name":"facts","agent":"Writer","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"facts","agent":"Writer","model":"sim/test-model","token_usage":{"total_tokens":8,"prompt_tokens":5,"completion_tokens":3,"cached_prompt_tokens":1,"successful_requests":1,"cost_usd":null}}""",
            """agent_step {"task_name":"facts","agent":"Writer","prompt":"Write a line\n\nThis is the expected criteria for your final answer: Your best answer to your co-worker who asked you this, taking the shared context into account.\nyou MUST return the actual complete content as the final answer, not a summary.\n\nThis is the context you\u0027re working with:\nTides \u0026 waves","thought":"A line \u0026 more","tool":"","tool_input":"","result":"A line \u0026 more"}""",
            """agent_execution_completed {"task_name":"facts","agent":"Writer","delegated_by":"Researcher","output":"A line \u0026 more"}""",
            """tool_usage_finished {"task_name":"facts","agent":"Researcher","tool_name":"Delegate work to coworker","tool_args":{"task":"Write a line","context":"Tides \u0026 waves","coworker":"Writer"},"output":"A line \u0026 more"}""",
            """agent_step {"task_name":"facts","agent":"Researcher","prompt":"Do the facts work carefully and well\n\nThis is the expected criteria for your final answer: The facts result\nyou MUST return the actual complete content as the final answer, not a summary.","thought":"","tool":"Delegate work to coworker","tool_input":"{\u0022task\u0022:\u0022Write a line\u0022,\u0022context\u0022:\u0022Tides \\u0026 waves\u0022,\u0022coworker\u0022:\u0022Writer\u0022}","result":"A line \u0026 more"}""",
            """llm_call_started {"task_name":"facts","agent":"Researcher","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"facts","agent":"Researcher","model":"sim/test-model","token_usage":{"total_tokens":18,"prompt_tokens":11,"completion_tokens":7,"cached_prompt_tokens":3,"successful_requests":1,"cost_usd":null}}""",
            """agent_step {"task_name":"facts","agent":"Researcher","prompt":"Do the facts work carefully and well\n\nThis is the expected criteria for your final answer: The facts result\nyou MUST return the actual complete content as the final answer, not a summary.","thought":"Facts: 42 \u2014 \u0022quoted\u0022 \u003Cok\u003E \uD83C\uDF0A","tool":"","tool_input":"","result":"Facts: 42 \u2014 \u0022quoted\u0022 \u003Cok\u003E \uD83C\uDF0A"}""",
            """agent_execution_completed {"task_name":"facts","agent":"Researcher","output":"Facts: 42 \u2014 \u0022quoted\u0022 \u003Cok\u003E \uD83C\uDF0A"}""",
            """task_completed {"task_name":"facts","task_id":"facts","agent":"Researcher","description":"Do the facts work carefully and well","expected_output":"The facts result","summary":"Do the facts work carefully and well...","output":"Facts: 42 \u2014 \u0022quoted\u0022 \u003Cok\u003E \uD83C\uDF0A","output_json":null,"execution_time":5,"token_usage":{"total_tokens":144,"prompt_tokens":120,"completion_tokens":24,"cached_prompt_tokens":4,"successful_requests":4,"cost_usd":null}}""",
            """task_started {"task_name":"summary","task_id":"summary","agent":"Writer","description":"Do the summary work carefully and well"}""",
            """agent_execution_started {"task_name":"summary","agent":"Writer"}""",
            """llm_call_started {"task_name":"summary","agent":"Writer","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"summary","agent":"Writer","model":"sim/test-model","token_usage":{"total_tokens":6,"prompt_tokens":4,"completion_tokens":2,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """output_validation_failed {"task_name":"summary","agent":"Writer","attempt":1,"errors":["The answer is not valid JSON: \u0027not json\u0027 is an invalid JSON literal. Expected the literal \u0027null\u0027. LineNumber: 0 | BytePositionInLine: 1."],"output":"not json"}""",
            """llm_call_started {"task_name":"summary","agent":"Writer","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"summary","agent":"Writer","model":"sim/test-model","token_usage":{"total_tokens":10,"prompt_tokens":6,"completion_tokens":4,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """agent_step {"task_name":"summary","agent":"Writer","prompt":"Do the summary work carefully and well\n\nThis is the expected criteria for your final answer: The summary result\nyou MUST return the actual complete content as the final answer, not a summary.\n\nYour final answer MUST be a single JSON object, with no text or Markdown around it, that satisfies this JSON Schema:\n{\u0022type\u0022:\u0022object\u0022,\u0022properties\u0022:{\u0022title\u0022:{\u0022type\u0022:\u0022string\u0022},\u0022score\u0022:{\u0022type\u0022:\u0022number\u0022}},\u0022required\u0022:[\u0022title\u0022,\u0022score\u0022]}\n\nThis is the context you\u0027re working with:\nFacts: 42 \u2014 \u0022quoted\u0022 \u003Cok\u003E \uD83C\uDF0A","thought":"{\u0022title\u0022: \u0022Tides\u0022, \u0022score\u0022: 9.5}","tool":"","tool_input":"","result":"{\u0022title\u0022: \u0022Tides\u0022, \u0022score\u0022: 9.5}"}""",
            """agent_execution_completed {"task_name":"summary","agent":"Writer","output":"{\u0022title\u0022: \u0022Tides\u0022, \u0022score\u0022: 9.5}"}""",
            """task_completed {"task_name":"summary","task_id":"summary","agent":"Writer","description":"Do the summary work carefully and well","expected_output":"The summary result","summary":"Do the summary work carefully and well...","output":"{\u0022title\u0022: \u0022Tides\u0022, \u0022score\u0022: 9.5}","output_json":{"title":"Tides","score":9.5},"execution_time":2.5,"token_usage":{"total_tokens":16,"prompt_tokens":10,"completion_tokens":6,"cached_prompt_tokens":0,"successful_requests":2,"cost_usd":null}}""",
            """task_started {"task_name":"check","task_id":"check","agent":"Writer","description":"Do the check work carefully and well"}""",
            """agent_execution_started {"task_name":"check","agent":"Writer"}""",
            """llm_call_started {"task_name":"check","agent":"Writer","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"check","agent":"Writer","model":"sim/test-model","token_usage":{"total_tokens":5,"prompt_tokens":3,"completion_tokens":2,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """agent_step {"task_name":"check","agent":"Writer","prompt":"Do the check work carefully and well\n\nThis is the expected criteria for your final answer: The check result\nyou MUST return the actual complete content as the final answer, not a summary.\n\nThis is the context you\u0027re working with:\nFacts: 42 \u2014 \u0022quoted\u0022 \u003Cok\u003E \uD83C\uDF0A\n\n----------\n\n{\u0022title\u0022: \u0022Tides\u0022, \u0022score\u0022: 9.5}","thought":"No mention","tool":"","tool_input":"","result":"No mention"}""",
            """llm_guardrail_started {"task_name":"check","guardrail":"Must mention tides.","kind":"llm","retry_count":0}""",
            """llm_call_started {"task_name":"check","agent":"Guardrail Agent","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"check","agent":"Guardrail Agent","model":"sim/test-model","token_usage":{"total_tokens":13,"prompt_tokens":8,"completion_tokens":5,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """llm_guardrail_completed {"task_name":"check","success":false,"error":"Say tides.","retry_count":0}""",
            """llm_call_started {"task_name":"check","agent":"Writer","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"check","agent":"Writer","model":"sim/test-model","token_usage":{"total_tokens":6,"prompt_tokens":3,"completion_tokens":3,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """agent_step {"task_name":"check","agent":"Writer","prompt":"Do the check work carefully and well\n\nThis is the expected criteria for your final answer: The check result\nyou MUST return the actual complete content as the final answer, not a summary.\n\nThis is the context you\u0027re working with:\nFacts: 42 \u2014 \u0022quoted\u0022 \u003Cok\u003E \uD83C\uDF0A\n\n----------\n\n{\u0022title\u0022: \u0022Tides\u0022, \u0022score\u0022: 9.5}\n\n----------\n\nYour previous answer did not pass the task\u0027s guardrail check.\n\nPrevious answer:\nNo mention\n\nWhy it failed:\nSay tides.\n\nGive a new final answer that fixes this.","thought":"Tides it is.","tool":"","tool_input":"","result":"Tides it is."}""",
            """llm_guardrail_started {"task_name":"check","guardrail":"Must mention tides.","kind":"llm","retry_count":1}""",
            """llm_call_started {"task_name":"check","agent":"Guardrail Agent","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"check","agent":"Guardrail Agent","model":"sim/test-model","token_usage":{"total_tokens":13,"prompt_tokens":8,"completion_tokens":5,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """llm_guardrail_completed {"task_name":"check","success":true,"result":"Tides it is.","retry_count":1}""",
            """agent_execution_completed {"task_name":"check","agent":"Writer","output":"Tides it is."}""",
            """task_completed {"task_name":"check","task_id":"check","agent":"Writer","description":"Do the check work carefully and well","expected_output":"The check result","summary":"Do the check work carefully and well...","output":"Tides it is.","output_json":null,"execution_time":3.75,"token_usage":{"total_tokens":37,"prompt_tokens":22,"completion_tokens":15,"cached_prompt_tokens":0,"successful_requests":4,"cost_usd":null}}""",
            """crew_kickoff_completed {"output":"Tides it is.","result_json":null,"token_usage":{"total_tokens":197,"prompt_tokens":152,"completion_tokens":45,"cached_prompt_tokens":4,"successful_requests":10,"cost_usd":null},"execution_time":12.5}""",
        ];

        public static readonly string[] HumanInput =
        [
            """crew_kickoff_started {"crew_name":"test_crew","inputs":{},"total_tasks":1}""",
            """task_started {"task_name":"approve","task_id":"approve","agent":"Writer","description":"Do the approve work carefully and well"}""",
            """agent_execution_started {"task_name":"approve","agent":"Writer"}""",
            """llm_call_started {"task_name":"approve","agent":"Writer","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"approve","agent":"Writer","model":"sim/test-model","token_usage":{"total_tokens":13,"prompt_tokens":9,"completion_tokens":4,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """agent_step {"task_name":"approve","agent":"Writer","prompt":"Do the approve work carefully and well\n\nThis is the expected criteria for your final answer: The approve result\nyou MUST return the actual complete content as the final answer, not a summary.","thought":"Draft for review","tool":"","tool_input":"","result":"Draft for review"}""",
            """agent_execution_completed {"task_name":"approve","agent":"Writer","output":"Draft for review"}""",
            """task_awaiting_human {"task_name":"approve","task_id":"approve","agent":"Writer","output":"Draft for review"}""",
            """crew_kickoff_started {"crew_name":"test_crew","inputs":{},"total_tasks":1,"resumed":true}""",
            """task_completed {"task_name":"approve","task_id":"approve","agent":"Writer","description":"Do the approve work carefully and well","expected_output":"The approve result","summary":"Do the approve work carefully and well...","output":"Draft for review","output_json":{"verdict":"ok","score":0.1},"execution_time":1.25,"token_usage":{"total_tokens":13,"prompt_tokens":9,"completion_tokens":4,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """crew_kickoff_completed {"output":"Draft for review","result_json":{"verdict":"ok","score":0.1},"token_usage":{"total_tokens":13,"prompt_tokens":9,"completion_tokens":4,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null},"execution_time":0}""",
        ];

        public static readonly string[] Failures =
        [
            """crew_kickoff_started {"crew_name":"test_crew","inputs":{},"total_tasks":1}""",
            """task_started {"task_name":"doomed","task_id":"doomed","agent":"Researcher","description":"Do the doomed work carefully and well"}""",
            """agent_execution_started {"task_name":"doomed","agent":"Researcher"}""",
            """llm_call_started {"task_name":"doomed","agent":"Researcher","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"doomed","agent":"Researcher","model":"sim/test-model","token_usage":{"total_tokens":49,"prompt_tokens":46,"completion_tokens":3,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """tool_usage_started {"task_name":"doomed","agent":"Researcher","tool_name":"Delegate work to coworker","tool_args":{"task":"Check it","context":"None","coworker":"Writer"}}""",
            """agent_execution_started {"task_name":"doomed","agent":"Writer","delegated_by":"Researcher"}""",
            """llm_call_started {"task_name":"doomed","agent":"Writer","model":"sim/test-model"}""",
            """llm_call_failed {"task_name":"doomed","agent":"Writer","model":"sim/test-model","error":"LLM provider \u0027sim\u0027 answered HTTP 500: co-worker down (gave up after 1 attempts)"}""",
            """agent_execution_error {"task_name":"doomed","agent":"Writer","delegated_by":"Researcher","error":"LLM provider \u0027sim\u0027 answered HTTP 500: co-worker down (gave up after 1 attempts)"}""",
            """tool_usage_error {"task_name":"doomed","agent":"Researcher","tool_name":"Delegate work to coworker","tool_args":{"task":"Check it","context":"None","coworker":"Writer"},"error":"LLM provider \u0027sim\u0027 answered HTTP 500: co-worker down"}""",
            """agent_step {"task_name":"doomed","agent":"Researcher","prompt":"Do the doomed work carefully and well\n\nThis is the expected criteria for your final answer: The doomed result\nyou MUST return the actual complete content as the final answer, not a summary.","thought":"","tool":"Delegate work to coworker","tool_input":"{\u0022task\u0022:\u0022Check it\u0022,\u0022context\u0022:\u0022None\u0022,\u0022coworker\u0022:\u0022Writer\u0022}","result":"Error using tool \u0027delegate_work_to_coworker\u0027: LLM provider \u0027sim\u0027 answered HTTP 500: co-worker down"}""",
            """llm_call_started {"task_name":"doomed","agent":"Researcher","model":"sim/test-model"}""",
            """llm_call_failed {"task_name":"doomed","agent":"Researcher","model":"sim/test-model","error":"LLM provider \u0027sim\u0027 answered HTTP 400: bad \u003Crequest\u003E"}""",
            """agent_execution_error {"task_name":"doomed","agent":"Researcher","error":"LLM provider \u0027sim\u0027 answered HTTP 400: bad \u003Crequest\u003E"}""",
            """task_failed {"task_name":"doomed","agent":"Researcher","error":"LLM provider \u0027sim\u0027 answered HTTP 400: bad \u003Crequest\u003E"}""",
            """crew_kickoff_failed {"error":"Task \u0027doomed\u0027 failed: LLM provider \u0027sim\u0027 answered HTTP 400: bad \u003Crequest\u003E","token_usage":{"total_tokens":49,"prompt_tokens":46,"completion_tokens":3,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null},"execution_time":3.75}""",
        ];

        public static readonly string[] FunctionGuardrail =
        [
            """crew_kickoff_started {"crew_name":"test_crew","inputs":{},"total_tasks":1}""",
            """task_started {"task_name":"note","task_id":"note","agent":"Writer","description":"Do the note work carefully and well"}""",
            """agent_execution_started {"task_name":"note","agent":"Writer"}""",
            """llm_call_started {"task_name":"note","agent":"Writer","model":"sim/test-model"}""",
            """llm_call_completed {"task_name":"note","agent":"Writer","model":"sim/test-model","token_usage":{"total_tokens":3,"prompt_tokens":2,"completion_tokens":1,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null}}""",
            """agent_step {"task_name":"note","agent":"Writer","prompt":"Do the note work carefully and well\n\nThis is the expected criteria for your final answer: The note result\nyou MUST return the actual complete content as the final answer, not a summary.","thought":"Whatever","tool":"","tool_input":"","result":"Whatever"}""",
            """llm_guardrail_started {"task_name":"note","guardrail":"never","kind":"function","retry_count":0}""",
            """llm_guardrail_completed {"task_name":"note","success":false,"error":null,"retry_count":0}""",
            """agent_execution_error {"task_name":"note","agent":"Writer","error":"The output failed its guardrail after 0 retries: the guardrail gave no reason"}""",
            """task_failed {"task_name":"note","agent":"Writer","error":"The output failed its guardrail after 0 retries: the guardrail gave no reason"}""",
            """crew_kickoff_failed {"error":"Task \u0027note\u0027 failed: The output failed its guardrail after 0 retries: the guardrail gave no reason","token_usage":{"total_tokens":3,"prompt_tokens":2,"completion_tokens":1,"cached_prompt_tokens":0,"successful_requests":1,"cost_usd":null},"execution_time":1.25}""",
        ];
    }
}
