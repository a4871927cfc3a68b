using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Tests.Webhooks;

public sealed class DeliveryPlannerTests
{
    private readonly DeliveryPlanner _planner = new(TimeProvider.System);

    [Fact]
    public void AgentStep_WithStepUrl_OwesAStepWebhookWithItsFieldsAndMeta()
    {
        var run = Run(new WebhookSettings { StepWebhookUrl = "https://hooks.example.com/step" });
        var data = new AgentStep("research", "Researcher", "p", "t", "search", "q", "r");

        var delivery = _planner.Plan(run, Event(run, data)).ShouldHaveSingleItem();

        delivery.Kind.ShouldBe("step");
        delivery.Url.ShouldBe("https://hooks.example.com/step");
        delivery.RunId.ShouldBe(run.Id);
        var body = Parse(delivery.Payload);
        body.Select(p => p.Key).ShouldBe(["prompt", "thought", "tool", "tool_input", "result", "kickoff_id", "meta"], ignoreOrder: true);
        body["thought"]!.GetValue<string>().ShouldBe("t");
        body["tool_input"]!.GetValue<string>().ShouldBe("q");
        body["kickoff_id"]!.GetValue<string>().ShouldBe(run.Id.ToString());
        body["meta"]!["ticket"]!.GetValue<string>().ShouldBe("T-1");
    }

    [Fact]
    public void AnEventThatOwesNoWebhook_GetsTheSharedEmptyList()
    {
        // Every event of a run without webhooks passes here and waits with its list for the writer.
        var run = Run(new WebhookSettings());

        var deliveries = _planner.Plan(run, Event(run, new AgentStep("research", "Researcher", "p", "t", "", "", "r")));

        deliveries.ShouldBeSameAs(Array.Empty<NewDelivery>());
    }

    [Fact]
    public void TaskCompleted_WithTaskUrl_OwesATaskWebhookFromTheTaskOutput()
    {
        var run = Run(new WebhookSettings { TaskWebhookUrl = "https://hooks.example.com/task" });
        var output = new TaskOutput
        {
            Name = "research", Description = "Research the topic well", ExpectedOutput = "A summary", Summary = "Research the topic well...",
            Raw = "findings", JsonDict = new JsonObject { ["k"] = 1 }, Agent = "Researcher",
        };
        var delivery = _planner.Plan(run, Event(run, new TaskCompleted(output))).ShouldHaveSingleItem();

        delivery.Kind.ShouldBe("task");
        var body = Parse(delivery.Payload);
        body.Select(p => p.Key).ShouldBe(
            ["description", "name", "expected_output", "summary", "agent", "output", "output_json", "kickoff_id", "meta"], ignoreOrder: true);
        body["name"]!.GetValue<string>().ShouldBe("research");
        body["summary"]!.GetValue<string>().ShouldBe("Research the topic well...");
        body["output"]!.GetValue<string>().ShouldBe("findings");
        body["output_json"]!["k"]!.GetValue<int>().ShouldBe(1);
        body["agent"]!.GetValue<string>().ShouldBe("Researcher");
    }

    [Fact]
    public void CrewCompleted_WithCrewUrl_OwesACrewWebhookWithResultAndUsage()
    {
        var run = Run(new WebhookSettings { CrewWebhookUrl = "https://hooks.example.com/crew" });
        var data = new CrewKickoffCompleted("final", null, new TokenUsage(20, 10, 0, 2), 1.5);

        var delivery = _planner.Plan(run, Event(run, data)).ShouldHaveSingleItem();

        delivery.Kind.ShouldBe("crew");
        var body = Parse(delivery.Payload);
        body.Select(p => p.Key).ShouldBe(["kickoff_id", "result", "result_json", "token_usage", "meta"], ignoreOrder: true);
        body["result"]!.GetValue<string>().ShouldBe("final");
        body["token_usage"]!.AsObject().Select(p => p.Key).ShouldBe(["total_tokens", "prompt_tokens", "completion_tokens", "cost_usd"], ignoreOrder: true);
        body["token_usage"]!["total_tokens"]!.GetValue<int>().ShouldBe(30);
    }

    [Theory]
    [InlineData(false, "error")]
    [InlineData(true, "stopped")]
    public void CrewFailed_WithCrewUrl_CarriesErrorAndStatus(bool stopped, string status)
    {
        var run = Run(new WebhookSettings { CrewWebhookUrl = "https://hooks.example.com/crew" });
        var data = new CrewKickoffFailed("boom", stopped, TokenUsage.Zero, 1);

        var body = Parse(_planner.Plan(run, Event(run, data)).ShouldHaveSingleItem().Payload);

        body["error"]!.GetValue<string>().ShouldBe("boom");
        body["status"]!.GetValue<string>().ShouldBe(status);
        body["result"].ShouldBeNull();
        body["token_usage"]!["total_tokens"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public void TaskAwaitingHuman_WithHumanInputWebhook_CarriesTaskOutputAndAuthentication()
    {
        var auth = new WebhookAuthentication { Strategy = "basic", Username = "u", Password = "p" };
        var run = Run(new WebhookSettings { HumanInput = new HumanInputWebhookConfig { Url = "https://hooks.example.com/review", Authentication = auth } });
        var delivery = _planner.Plan(run, Event(run, new TaskAwaitingHuman(Output("draft", "a draft")))).ShouldHaveSingleItem();

        delivery.Kind.ShouldBe("human_input");
        var body = Parse(delivery.Payload);
        body["kickoff_id"]!.GetValue<string>().ShouldBe(run.Id.ToString());
        body["task_id"]!.GetValue<string>().ShouldBe("draft");
        body["output"]!.GetValue<string>().ShouldBe("a draft");
        body["meta"]!["ticket"]!.GetValue<string>().ShouldBe("T-1");
        Parse(delivery.Authentication.ShouldNotBeNull())["username"]!.GetValue<string>().ShouldBe("u");
    }

    [Fact]
    public void Stream_WithEventFilter_OwesOnlyListedEventTypes()
    {
        var run = Run(new WebhookSettings { Stream = new WebhookStreamConfig { Url = "https://hooks.example.com/events", Events = ["task_started"] } });

        _planner.Plan(run, Event(run, new TaskStarted { TaskName = "a", Agent = "Writer", Description = "d" })).ShouldHaveSingleItem().Kind.ShouldBe("events");
        _planner.Plan(run, Event(run, new LlmCallStarted("a", "Writer", "m"))).ShouldBeEmpty();
    }

    [Fact]
    public void Stream_WithoutFilter_OwesEveryEventAsAnEventObject()
    {
        var auth = new WebhookAuthentication { Strategy = "bearer", Token = "tok" };
        var run = Run(new WebhookSettings { Stream = new WebhookStreamConfig { Url = "https://hooks.example.com/events", Realtime = true, Authentication = auth } });
        var runEvent = Event(run, new LlmCallStarted("a", "Writer", "m"));

        var delivery = _planner.Plan(run, runEvent).ShouldHaveSingleItem();

        delivery.Kind.ShouldBe("event");
        var body = Parse(delivery.Payload);
        body.Select(p => p.Key).ShouldBe(["id", "execution_id", "timestamp", "type", "data"], ignoreOrder: true);
        body["execution_id"]!.GetValue<string>().ShouldBe(run.Id.ToString());
        body["type"]!.GetValue<string>().ShouldBe("llm_call_started");
        body["data"]!["model"]!.GetValue<string>().ShouldBe("m");
        delivery.Authentication.ShouldNotBeNull().ShouldContain("tok");
    }

    [Fact]
    public void Event_WithoutAnyWebhookSettings_OwesNothing()
    {
        var run = Run(WebhookSettings.None);
        _planner.Plan(run, Event(run, new CrewKickoffCompleted("done", null, TokenUsage.Zero, 1))).ShouldBeEmpty();
        _planner.Plan(run, Event(run, new AgentStep("a", "Writer", "p", "t", "", "", "r"))).ShouldBeEmpty();
    }

    [Fact]
    public void TaskCompleted_WithTaskAndStreamUrls_OwesBoth()
    {
        var run = Run(new WebhookSettings { TaskWebhookUrl = "https://a.example.com/t", Stream = new WebhookStreamConfig { Url = "https://a.example.com/e" } });
        _planner.Plan(run, Event(run, new TaskCompleted(Output("x", "done"))))
            .Select(d => d.Kind).ShouldBe(["task", "events"]);
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static RunEvent Event(RunRecord run, RunEventData data) =>
        new() { RunId = run.Id, Sequence = 3, Timestamp = DateTimeOffset.UtcNow, Data = data };

    private static TaskOutput Output(string name, string raw) => new()
    {
        Name = name, Description = $"Do {name}", ExpectedOutput = "Text", Summary = $"Do {name}...", Raw = raw, Agent = "Writer",
    };

    internal static RunRecord Run(WebhookSettings webhooks) => new()
    {
        Id = Guid.NewGuid(),
        CrewName = "demo",
        Crew = new CrewDefinition { Name = "demo", Agents = [], Tasks = [], Inputs = [] },
        Inputs = [],
        Meta = new JsonObject { ["ticket"] = "T-1" },
        OwnerId = "user-1",
        TokenId = "tok-1",
        CorrelationId = "corr-1",
        State = RunState.Running,
        CreatedAt = DateTimeOffset.UtcNow,
        Webhooks = webhooks,
    };

    [Fact]
    public void Authentication_IsStoredAsTheWireShape()
    {
        var run = Run(new WebhookSettings { HumanInput = new HumanInputWebhookConfig { Url = "https://a.example.com/h", Authentication = new() { Strategy = "bearer", Token = "x" } } });
        var stored = _planner.Plan(run, Event(run, new TaskAwaitingHuman(Output("draft", "a draft")))).Single().Authentication!;
        JsonDocument.Parse(stored).RootElement.GetProperty("strategy").GetString().ShouldBe("bearer");
    }
}
