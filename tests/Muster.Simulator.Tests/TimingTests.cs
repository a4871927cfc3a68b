using System.Diagnostics;
using System.Net;
using Muster.Testing;

namespace Muster.Simulator.Tests;

public sealed class TimingTests
{
    [Fact]
    public async Task Latency_IsAppliedBeforeTheAnswer()
    {
        await using var simulator = await LlmSimulator.StartAsync(new SimulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        using var http = new HttpClient();

        var clock = Stopwatch.StartNew();
        using var response = await Chat.PostAsync(http, simulator, Chat.Request("hi"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290));
    }

    [Fact]
    public async Task Latency_CutShortByTheClient_GivesNoAnswer_AndTheNextRequestStillWorks()
    {
        await using var simulator = await LlmSimulator.StartAsync(new SimulatorOptions { Latency = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<OperationCanceledException>(() => Chat.PostAsync(http, simulator, Chat.Request("hi"), cancel.Token));
        simulator.Latency = TimeSpan.Zero;
        using var response = await Chat.PostAsync(http, simulator, Chat.Request("again"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Hang_NeverAnswers_UntilTheClientAborts()
    {
        await using var simulator = await LlmSimulator.StartAsync();
        simulator.Enqueue(SimulatedReply.Hang());
        using var http = new HttpClient();
        using var cancel = new CancellationTokenSource();

        var pending = Chat.PostAsync(http, simulator, Chat.Request("hi"), cancel.Token);
        await WaitForRequestAsync(simulator);
        await Task.Delay(200);

        pending.IsCompleted.ShouldBeFalse();
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Delayed_WaitsThenAnswersWithTheInnerReply()
    {
        await using var simulator = await LlmSimulator.StartAsync();
        simulator.Enqueue(SimulatedReply.Delayed(TimeSpan.FromMilliseconds(200), SimulatedReply.Text("late")));
        using var http = new HttpClient();

        var clock = Stopwatch.StartNew();
        var completion = await Chat.ReadAsync(await Chat.PostAsync(http, simulator, Chat.Request("hi")));

        Chat.Content(completion).ShouldBe("late");
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190));
    }

    [Fact]
    public async Task Dispose_WithAHangingRequest_StopsPromptly()
    {
        var simulator = await LlmSimulator.StartAsync();
        simulator.Enqueue(SimulatedReply.Hang());
        using var http = new HttpClient();
        var pending = Chat.PostAsync(http, simulator, Chat.Request("hi"));
        await WaitForRequestAsync(simulator);

        await simulator.DisposeAsync().AsTask().WaitAsync(Eventually.DefaultLimit);

        await Should.ThrowAsync<HttpRequestException>(() => pending);
    }

    private static Task WaitForRequestAsync(LlmSimulator simulator) =>
        Eventually.Until(() => simulator.CompletionCount > 0, "the simulator never received the request");
}
