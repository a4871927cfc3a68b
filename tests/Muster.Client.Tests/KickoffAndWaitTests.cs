using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Muster.Contracts.Amp;
using Muster.Testing;

namespace Muster.Client.Tests;

public sealed class KickoffAndWaitTests : ClientTestBase
{
    private static KickoffAndWaitOptions Fast(TimeProvider? time = null) => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(5), MaxPollInterval = TimeSpan.FromMilliseconds(20), TimeProvider = time ?? TimeProvider.System,
    };

    [Fact]
    public async Task KickoffAndWait_PollsWhileRunning_ThenReturnsOutputTasksAndExecutionTime()
    {
        Server.RunningPolls = 3;
        var progress = new ListProgress<StatusResponse>();

        var outcome = await Client().KickoffAndWaitAsync(new JsonObject { ["topic"] = "owls" }, Fast(), progress);

        outcome.Succeeded.ShouldBeTrue();
        outcome.Output.ShouldBe("Report on owls");
        outcome.Tasks.ShouldHaveSingleItem().Agent.ShouldBe("Researcher");
        outcome.ExecutionTime.ShouldBe(2.25);
        outcome.Polls.ShouldBe(4);
        Server.Run(outcome.KickoffId)!.Polls.ShouldBe(4);
        progress.Reports.Select(r => r.Status).ShouldBe(["running", "running", "running", "completed"]);
    }

    [Fact]
    public async Task KickoffAndWait_WhenTheRunFails_ReturnsTheErrorAndExecutionTime()
    {
        Server.RunningPolls = 1;

        var outcome = await Client().KickoffAndWaitAsync(new JsonObject { ["topic"] = "owls", ["fail"] = true }, Fast());

        outcome.Succeeded.ShouldBeFalse();
        outcome.Status.ShouldBe("error");
        outcome.Error.ShouldBe("Agent failed: model unavailable");
        outcome.ExecutionTime.ShouldBe(1.5);
        outcome.Output.ShouldBeNull();
    }

    [Fact]
    public async Task KickoffAndWait_GrowsTheIntervalByTheFactor_UpToTheMaximum()
    {
        Server.RunningPolls = 6;
        var time = new RecordingTimeProvider();
        var options = new KickoffAndWaitOptions
        {
            PollInterval = TimeSpan.FromSeconds(1), MaxPollInterval = TimeSpan.FromSeconds(5), BackoffFactor = 2, TimeProvider = time,
        };

        var outcome = await Client().KickoffAndWaitAsync(new JsonObject { ["topic"] = "owls" }, options);

        outcome.Polls.ShouldBe(7);
        time.Delays.Select(d => d.TotalSeconds).ShouldBe([1, 2, 4, 5, 5, 5, 5]);
    }

    [Fact]
    public async Task KickoffAndWait_WithBackoffFactorOne_PollsAtAFixedInterval()
    {
        Server.RunningPolls = 2;
        var time = new RecordingTimeProvider();

        await Client().KickoffAndWaitAsync(new JsonObject { ["topic"] = "owls" }, Fast(time) with { BackoffFactor = 1 });

        time.Delays.ShouldBe([TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5)]);
    }

    [Fact]
    public async Task KickoffAndWait_PastItsTimeout_ThrowsMusterTimeoutExceptionWithTheLastStatus()
    {
        Server.RunningPolls = -1;
        var time = new FakeTimeProvider();
        var answered = new CountingProgress();
        var wait = Client().KickoffAndWaitAsync(new JsonObject { ["topic"] = "owls" }, Fast(time) with { Timeout = TimeSpan.FromMinutes(1) }, answered);

        // The deadline runs on the client's clock: let it poll once on that clock and read the answer (the server counting
        // the request is not enough: the answer may still be on its way), then move the clock past the timeout, so the
        // test holds however slowly the machine answers.
        await AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(5), () => answered.Count > 0);
        time.Advance(TimeSpan.FromMinutes(1));
        var ex = await Should.ThrowAsync<MusterTimeoutException>(() => wait);

        ex.ShouldBeAssignableTo<TimeoutException>();
        ex.KickoffId.ShouldNotBe(Guid.Empty);
        ex.LastStatus.ShouldNotBeNull().Status.ShouldBe("running");
        Server.Run(ex.KickoffId)!.Polls.ShouldBeGreaterThan(0);
    }

    // The client's clock moves only here: a step each time the condition is not yet met, so the first poll comes due however
    // slowly the client gets to it.
    private static Task AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Func<bool> condition) =>
        Eventually.Until(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                time.Advance(step);
                return false;
            },
            "the client never read an answer");

    [Fact]
    public async Task KickoffAndWait_CancelledByTheCaller_ThrowsOperationCanceled()
    {
        Server.RunningPolls = -1;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<OperationCanceledException>(() =>
            Client().KickoffAndWaitAsync(new JsonObject { ["topic"] = "owls" }, Fast(), cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task KickoffAndWait_WhenKickoffIsRefused_ThrowsTheApiException()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => Client().KickoffAndWaitAsync(new JsonObject(), Fast()));

        ex.StatusCode.ShouldBe(System.Net.HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task WaitForCompletion_OfARunStartedEarlier_PollsOnlyTheAmpStatusRoute()
    {
        Server.RunningPolls = 2;
        var client = Client();
        var kickoff = await client.KickoffAsync(new JsonObject { ["topic"] = "later" });
        var progress = new ListProgress<StatusResponse>();

        var outcome = await client.WaitForCompletionAsync(kickoff.KickoffId, Fast(), progress);

        outcome.KickoffId.ShouldBe(kickoff.KickoffId);
        outcome.Succeeded.ShouldBeTrue();
        outcome.Polls.ShouldBe(3);
        progress.Reports.Select(r => r.Status).ShouldBe(["running", "running", "completed"]);
        Server.Log.Where(line => !line.StartsWith("POST /kickoff", StringComparison.Ordinal)).ShouldAllBe(line => line.StartsWith($"GET /status/{kickoff.KickoffId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WaitForCompletion_PastItsTimeout_ThrowsWithTheRunAndTheLastStatus()
    {
        Server.RunningPolls = -1;
        var client = Client();
        var kickoff = await client.KickoffAsync(new JsonObject { ["topic"] = "forever" });
        var time = new FakeTimeProvider();
        var answered = new CountingProgress();
        var wait = client.WaitForCompletionAsync(kickoff.KickoffId, Fast(time) with { Timeout = TimeSpan.FromMinutes(1) }, answered);

        // As above: past the timeout on the client's clock only once the client has read an answer.
        await AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(5), () => answered.Count > 0);
        time.Advance(TimeSpan.FromMinutes(1));
        var ex = await Should.ThrowAsync<MusterTimeoutException>(() => wait);

        ex.KickoffId.ShouldBe(kickoff.KickoffId);
        ex.LastStatus.ShouldNotBeNull().Status.ShouldBe("running");
        ex.Message.ShouldContain("it was not stopped");
    }

    /// <summary>Counts the statuses the wait has read, safely from the polling task.</summary>
    private sealed class CountingProgress : IProgress<StatusResponse>
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Report(StatusResponse value) => Interlocked.Increment(ref _count);
    }
}
