using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Server.CrewRuns;
using Muster.Server.Runs;
using Muster.Server.Webhooks;
using Muster.Storage;
using Muster.Storage.Sqlite;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// The exact bytes the server sends for run events: the webhooks, the events it appends itself, and an event read
/// back from the store as SSE and the events API carry it. Recorded before events became typed records.
/// </summary>
public sealed class RunEventWireBytesTests : IDisposable
{
    private static readonly Guid RunId = Guid.Parse("0190f0aa-1111-7222-8333-444455556666");
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);
    private static readonly TokenUsage Usage = new(120, 24, 4, 4);

    private static readonly TaskOutput Output = new()
    {
        Name = "facts",
        Description = "Find facts about <tides> & waves",
        ExpectedOutput = "Three facts",
        Summary = "Find facts about <tides> & waves...",
        Raw = "Facts: 42 — \"quoted\" 🌊",
        JsonDict = new JsonObject { ["title"] = "Tides", ["score"] = 9.5 },
        Agent = "Researcher",
        ExecutionTimeSeconds = 2.5,
        Usage = Usage,
    };

    private readonly TempFolder _folder = new();
    private readonly DeliveryPlanner _planner = new(TimeProvider.System);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TheStepWebhook_CarriesTheRecordedBytes() =>
        Payload(new WebhookSettings { StepWebhookUrl = "https://hooks.example.com/step" }, AgentStep())
            .ShouldBe("""{"prompt":"Do \u003Cit\u003E","thought":"I \u0026 you","tool":"calculator","tool_input":"{\u0022expression\u0022:\u00226 * 7\u0022}","result":"42","kickoff_id":"0190f0aa-1111-7222-8333-444455556666","meta":{"ticket":"T-1 \u003C\u0026\u003E"}}""");

    [Fact]
    public void TheTaskWebhook_CarriesTheRecordedBytes() =>
        Payload(new WebhookSettings { TaskWebhookUrl = "https://hooks.example.com/task" }, TaskCompleted())
            .ShouldBe("""{"description":"Find facts about \u003Ctides\u003E \u0026 waves","name":"facts","expected_output":"Three facts","summary":"Find facts about \u003Ctides\u003E \u0026 waves...","agent":"Researcher","output":"Facts: 42 \u2014 \u0022quoted\u0022 \uD83C\uDF0A","output_json":{"title":"Tides","score":9.5},"kickoff_id":"0190f0aa-1111-7222-8333-444455556666","meta":{"ticket":"T-1 \u003C\u0026\u003E"}}""");

    [Fact]
    public void TheCrewWebhook_OfACompletedRun_CarriesTheRecordedBytes() =>
        Payload(new WebhookSettings { CrewWebhookUrl = "https://hooks.example.com/crew" }, CrewCompleted())
            .ShouldBe("""{"kickoff_id":"0190f0aa-1111-7222-8333-444455556666","result":"Tides it is.","result_json":{"title":"Tides","score":9.5},"token_usage":{"total_tokens":144,"prompt_tokens":120,"completion_tokens":24,"cost_usd":0},"meta":{"ticket":"T-1 \u003C\u0026\u003E"}}""");

    [Fact]
    public void TheCrewWebhook_OfAFailedRun_CarriesTheRecordedBytes() =>
        Payload(new WebhookSettings { CrewWebhookUrl = "https://hooks.example.com/crew" }, CrewFailed())
            .ShouldBe("""{"kickoff_id":"0190f0aa-1111-7222-8333-444455556666","result":null,"result_json":null,"token_usage":{"total_tokens":144,"prompt_tokens":120,"completion_tokens":24,"cost_usd":0},"meta":{"ticket":"T-1 \u003C\u0026\u003E"},"status":"error","error":"Task \u0027facts\u0027 failed: boom"}""");

    [Fact]
    public void TheCrewWebhook_OfAStoppedRun_CarriesTheRecordedBytes() =>
        Payload(new WebhookSettings { CrewWebhookUrl = "https://hooks.example.com/crew" }, RunEvents.Stopped(Run(WebhookSettings.None), "Stopped by user-1", At))
            .ShouldBe("""{"kickoff_id":"0190f0aa-1111-7222-8333-444455556666","result":null,"result_json":null,"token_usage":{"total_tokens":144,"prompt_tokens":120,"completion_tokens":24,"cost_usd":0},"meta":{"ticket":"T-1 \u003C\u0026\u003E"},"status":"stopped","error":"Stopped by user-1"}""");

    [Fact]
    public void TheHumanInputWebhook_CarriesTheRecordedBytes() =>
        Payload(new WebhookSettings { HumanInput = new HumanInputWebhookConfig { Url = "https://hooks.example.com/review" } }, TaskAwaitingHuman())
            .ShouldBe("""{"kickoff_id":"0190f0aa-1111-7222-8333-444455556666","task_id":"facts","task_name":"facts","agent":"Researcher","output":"Facts: 42 \u2014 \u0022quoted\u0022 \uD83C\uDF0A","status":"pending_human_input","crew_name":"demo \u003Ccrew\u003E","timestamp":"2026-12-01T12:00:00.1234567Z","meta":{"ticket":"T-1 \u003C\u0026\u003E"}}""");

    [Fact]
    public void TheEventStreamWebhook_CarriesTheRecordedBytes() =>
        Payload(new WebhookSettings { Stream = new WebhookStreamConfig { Url = "https://hooks.example.com/events" } }, ToolUsageStarted())
            .ShouldBe("""{"id":"0190f0aa-1111-7222-8333-444455556666:7","execution_id":"0190f0aa-1111-7222-8333-444455556666","timestamp":"2026-12-01T12:00:00.1234567Z","type":"tool_usage_started","data":{"task_name":"facts","agent":"Researcher","tool_name":"calculator","tool_args":{"expression":"6 * 7","n":[1,2.5,true,null]}}}""");

    [Fact]
    public void TheEventsTheServerAppends_CarryTheRecordedBytes()
    {
        var run = Run(WebhookSettings.None);

        DataJson(RunEvents.Stopped(run, "Stopped by user-1 at 2026-12-01T12:00:00Z", At)).ShouldBe(
            """{"error":"Stopped by user-1 at 2026-12-01T12:00:00Z","stopped":true,"token_usage":{"total_tokens":144,"prompt_tokens":120,"completion_tokens":24,"cached_prompt_tokens":4,"successful_requests":4,"cost_usd":0},"execution_time":60.1234567}""");
        DataJson(RunEvents.Crashed(run.Id, 9, run, "Internal error while executing the crew.", At)).ShouldBe(
            """{"error":"Internal error while executing the crew.","token_usage":{"total_tokens":144,"prompt_tokens":120,"completion_tokens":24,"cached_prompt_tokens":4,"successful_requests":4,"cost_usd":0},"execution_time":60.1234567}""");
    }

    [Fact]
    public async Task AStoredEvent_ReadBackForSseAndTheEventsApi_CarriesTheRecordedBytes()
    {
        using var store = new SqliteRunStore($"Data Source={_folder.Combine("muster.db")}", TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        var run = Run(WebhookSettings.None);
        await store.CreateRunAsync(
            new NewRun
            {
                Id = run.Id, CrewName = run.CrewName, Crew = run.Crew, Inputs = [], OwnerId = run.OwnerId, TokenId = run.TokenId,
                CorrelationId = run.CorrelationId, CreatedAt = run.CreatedAt,
            },
            CancellationToken.None);
        await store.AppendEventsAsync([.. new[] { AgentStep(), ToolUsageStarted(), TaskCompleted() }.Select((e, i) => new EventAppend(e with { Sequence = i + 1 }, null, []))], CancellationToken.None);

        var stored = await store.GetEventsAsync(run.Id, 0, 10, CancellationToken.None);
        using var body = new MemoryStream();
        foreach (var runEvent in stored)
        {
            await RunEventStream.WriteEventAsync(body, runEvent, CancellationToken.None);
        }

        Encoding.UTF8.GetString(body.ToArray()).ShouldBe(
            "id: 1\nevent: agent_step\ndata: " + """{"sequence":1,"execution_id":"0190f0aa-1111-7222-8333-444455556666","type":"agent_step","timestamp":"2026-12-01T12:00:00.1230000Z","data":{"task_name":"facts","agent":"Researcher","prompt":"Do \u003Cit\u003E","thought":"I \u0026 you","tool":"calculator","tool_input":"{\u0022expression\u0022:\u00226 * 7\u0022}","result":"42"}}""" + "\n\n" +
            "id: 2\nevent: tool_usage_started\ndata: " + """{"sequence":2,"execution_id":"0190f0aa-1111-7222-8333-444455556666","type":"tool_usage_started","timestamp":"2026-12-01T12:00:00.1230000Z","data":{"task_name":"facts","agent":"Researcher","tool_name":"calculator","tool_args":{"expression":"6 * 7","n":[1,2.5,true,null]}}}""" + "\n\n" +
            "id: 3\nevent: task_completed\ndata: " + """{"sequence":3,"execution_id":"0190f0aa-1111-7222-8333-444455556666","type":"task_completed","timestamp":"2026-12-01T12:00:00.1230000Z","data":{"task_name":"facts","task_id":"facts","agent":"Researcher","description":"Find facts about \u003Ctides\u003E \u0026 waves","expected_output":"Three facts","summary":"Find facts about \u003Ctides\u003E \u0026 waves...","output":"Facts: 42 \u2014 \u0022quoted\u0022 \uD83C\uDF0A","output_json":{"title":"Tides","score":9.5},"execution_time":2.5,"token_usage":{"total_tokens":144,"prompt_tokens":120,"completion_tokens":24,"cached_prompt_tokens":4,"successful_requests":4,"cost_usd":0}}}""" + "\n\n");
        IReadOnlyList<RunEventDto> page = [.. stored.Select(CrewRunRecordMapper.ToDto)];
        JsonSerializer.Serialize(page.Take(1).ToList(), MusterJsonContext.Default.IReadOnlyListRunEventDto).ShouldBe(
            """[{"sequence":1,"execution_id":"0190f0aa-1111-7222-8333-444455556666","type":"agent_step","timestamp":"2026-12-01T12:00:00.1230000Z","data":{"task_name":"facts","agent":"Researcher","prompt":"Do \u003Cit\u003E","thought":"I \u0026 you","tool":"calculator","tool_input":"{\u0022expression\u0022:\u00226 * 7\u0022}","result":"42"}}]""");
    }

    private string Payload(WebhookSettings settings, RunEvent runEvent) => _planner.Plan(Run(settings), runEvent).ShouldHaveSingleItem().Payload;

    private static string DataJson(RunEvent runEvent) => RunEventJson.Serialize(runEvent.Data);

    private static RunRecord Run(WebhookSettings webhooks) => new()
    {
        Id = RunId,
        CrewName = "demo <crew>",
        Crew = new CrewDefinition { Name = "demo <crew>", Agents = [], Tasks = [], Inputs = [] },
        Inputs = [],
        Meta = new JsonObject { ["ticket"] = "T-1 <&>" },
        OwnerId = "user-1",
        TokenId = "tok-1",
        CorrelationId = "corr-1",
        State = RunState.Running,
        CreatedAt = At.AddMinutes(-2),
        StartedAt = new DateTimeOffset(2026, 12, 1, 11, 59, 0, TimeSpan.Zero),
        Usage = Usage,
        Webhooks = webhooks,
    };

    // The events as the engine builds them (TaskRunner, AgentExecutor, CrewEngine).
    private static RunEvent Event(RunEventData data) => new() { RunId = RunId, Sequence = 7, Timestamp = At, Data = data };

    private static RunEvent AgentStep() =>
        Event(new AgentStep("facts", "Researcher", "Do <it>", "I & you", "calculator", """{"expression":"6 * 7"}""", "42"));

    private static RunEvent ToolUsageStarted() => Event(new ToolUsageStarted(
        "facts", "Researcher", "calculator", JsonDocument.Parse("""{"expression":"6 * 7","n":[1,2.5,true,null]}""").RootElement));

    private static RunEvent TaskCompleted() => Event(new TaskCompleted(Output));

    private static RunEvent TaskAwaitingHuman() => Event(new TaskAwaitingHuman(Output));

    private static RunEvent CrewCompleted() => Event(new CrewKickoffCompleted("Tides it is.", Output.JsonDict, Usage, 12.5));

    private static RunEvent CrewFailed() => Event(new CrewKickoffFailed("Task 'facts' failed: boom", Stopped: false, Usage, 3.75));
}
