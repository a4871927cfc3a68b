using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Llm;
using Muster.Llm;
using Muster.Simulator;
using Muster.Testing;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

/// <summary>The engine through <see cref="OpenAiChatClient"/> against the LLM simulator over real loopback HTTP.</summary>
public sealed class OpenAiProviderTests : IAsyncLifetime
{
    private const string ApiKey = "sk-test-secret-key-123";
    private LlmSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await LlmSimulator.StartAsync(new SimulatorOptions());

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private CrewEngine Engine(int maxRetries = 2, TimeSpan? retryBaseDelay = null, double timeoutSeconds = 10)
    {
        var options = new LlmOptions
        {
            DefaultModel = "sim/test-model",
            RetryBaseDelay = retryBaseDelay ?? TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromHours(1),
            Providers = { ["sim"] = new LlmProviderOptions { BaseUrl = _sim.BaseUrl.ToString(), ApiKey = ApiKey, MaxRetries = maxRetries, TimeoutSeconds = timeoutSeconds } },
        };
        return NewEngine(options);
    }

    [Fact]
    public async Task ThreeTaskRun_OverHttp_CarriesAgentsAndContextAndAddsUpUsage()
    {
        _sim.Enqueue(
            SimulatedReply.Text("Finding one", promptTokens: 100, completionTokens: 10, cachedPromptTokens: 40),
            SimulatedReply.Text("Draft two", promptTokens: 200, completionTokens: 20),
            SimulatedReply.Text("Report three", promptTokens: 300, completionTokens: 30));
        var crew = Crew(
            [Agent("researcher", "Senior Researcher"), Agent("writer", "Report Writer")],
            Task("research", "researcher"), Task("draft", "writer"), Task("report", "writer", context: ["draft"]));

        var outcome = await Engine().RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, new RecordingSink(), CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        var requests = _sim.Requests;
        requests.Count.ShouldBe(3);
        requests.ShouldAllBe(r => r.Model == "test-model");
        var system = requests[0].Messages[0];
        system.Role.ShouldBe("system");
        system.Content!.ShouldContain("Senior Researcher");
        system.Content!.ShouldContain("Goal of researcher");
        system.Content!.ShouldContain("Backstory of researcher");
        requests[1].Messages[0].Content!.ShouldContain("Report Writer");
        requests[1].LastUserMessage!.ShouldContain("Finding one");
        requests[2].LastUserMessage!.ShouldContain("Draft two");
        requests[2].LastUserMessage!.ShouldNotContain("Finding one");
        outcome.Output!.Raw.ShouldBe("Report three");
        outcome.Output.Usage.ShouldBe(new TokenUsage(600, 60, 40, 3, CostUsd: null));
        outcome.Output.TasksOutput[0].Usage.ShouldBe(new TokenUsage(100, 10, 40, 1, CostUsd: null));
    }

    [Fact]
    public async Task ToolCalls_SingleAndParallel_AreRunAndReturnedToTheModel()
    {
        _sim.Enqueue(
            SimulatedReply.ToolCalls(new SimulatedToolCall("calculator", """{"expression":"2+3"}""")),
            SimulatedReply.ToolCalls(
                new SimulatedToolCall("calculator", """{"expression":"10*10"}"""),
                new SimulatedToolCall("calculator", """{"expression":"sqrt(81)"}""")),
            SimulatedReply.Text("5, 100 and 9"));
        var sink = new RecordingSink();
        var crew = Crew([Agent("a", tools: "calculator")], Task("math", "a"));

        var outcome = await Engine().RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Output!.Raw.ShouldBe("5, 100 and 9");
        _sim.Requests[0].ToolNames.ShouldBe(["calculator"]);
        _sim.Requests[1].Messages.Where(m => m.Role == "tool").Select(m => m.Content).ShouldBe(["5"]);
        _sim.Requests[2].Messages.Where(m => m.Role == "tool").Select(m => m.Content).ShouldBe(["5", "100", "9"]);
        sink.Types.Count(t => t == "tool_usage_finished").ShouldBe(3);
    }

    [Fact]
    public async Task RateLimited_RetriesAfterTheProvidersRetryAfter()
    {
        _sim.Enqueue(SimulatedReply.Error(429, "Rate limit reached", TimeSpan.FromMilliseconds(200)), SimulatedReply.Text("after the wait"));
        // A backoff of an hour means the run can only finish within the ceiling by honouring Retry-After.
        var engine = Engine(retryBaseDelay: TimeSpan.FromHours(1));

        var outcome = await engine.RunAsync(Guid.NewGuid(), Crew([Agent("a")], Task("t", "a")), RunCheckpoint.Empty, new RecordingSink(), CancellationToken.None)
            .WaitAsync(Eventually.DefaultLimit);

        outcome.Output!.Raw.ShouldBe("after the wait");
        _sim.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ServerErrors_AfterRetries_FailTheRunWithTheProvidersAnswerAndNoKey()
    {
        _sim.Enqueue(Enumerable.Repeat(SimulatedReply.Error(500, "upstream exploded"), 3).ToArray());
        var sink = new RecordingSink();

        var outcome = await Engine(maxRetries: 2).RunAsync(Guid.NewGuid(), Crew([Agent("a")], Task("t", "a")), RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldContain("HTTP 500");
        outcome.Error!.ShouldContain("upstream exploded");
        outcome.Error!.ShouldNotContain(ApiKey);
        _sim.Requests.Count.ShouldBe(3);
        sink.Types.Last().ShouldBe("crew_kickoff_failed");
    }

    [Fact]
    public async Task Cancellation_DuringAHangingCall_StopsTheRun()
    {
        _sim.Enqueue(SimulatedReply.Hang());
        using var cts = new CancellationTokenSource();
        var sink = new RecordingSink();
        var run = Engine().RunAsync(Guid.NewGuid(), Crew([Agent("a")], Task("t", "a")), RunCheckpoint.Empty, sink, cts.Token);

        await Eventually.Until(() => _sim.Requests.Count > 0, "the simulator was never called");

        await cts.CancelAsync();
        var outcome = await run.WaitAsync(Eventually.DefaultLimit);

        outcome.Kind.ShouldBe(RunOutcomeKind.Stopped);
        sink.Types.Last().ShouldBe("llm_call_started");
    }

    [Fact]
    public async Task Timeout_OfAHangingCall_IsRetried()
    {
        _sim.Enqueue(SimulatedReply.Hang(), SimulatedReply.Text("second try"));

        var outcome = await Engine(timeoutSeconds: 0.3).RunAsync(Guid.NewGuid(), Crew([Agent("a")], Task("t", "a")), RunCheckpoint.Empty, new RecordingSink(), CancellationToken.None);

        outcome.Output!.Raw.ShouldBe("second try");
    }
}
