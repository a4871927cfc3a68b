using System.Net;
using System.Net.Http;
using System.Text.Json;
using Muster.Client;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Spectre.Console;

namespace Muster.Cli.Infrastructure;

/// <summary>
/// Waits for a run through the SDK's canonical poll (works with any AMP server), showing a live view on a terminal
/// (progress bar of tasks, current task and agent, elapsed time, tokens so far) or progress lines on stderr otherwise,
/// then the final output. Ctrl-C ends the wait; a person is asked whether to stop the run too, a script is not.
/// </summary>
internal static class RunWaiter
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);

    private static readonly KickoffAndWaitOptions Polling = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(500), MaxPollInterval = TimeSpan.FromSeconds(2), BackoffFactor = 1.25,
    };

    public static async Task<int> WaitAsync(CliContext context, MusterClient client, Guid runId, CancellationToken cancellationToken)
    {
        using var interrupt = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interrupt.Token);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // Keep the process alive to decide what happens to the run; a second Ctrl-C after the handler is gone ends it.
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var monitor = new RunMonitor();
        var events = FollowEventsAsync(client, runId, monitor, linked.Token);
        KickoffOutcome? outcome = null;
        try
        {
            var waiting = client.WaitForCompletionAsync(runId, Polling, monitor, linked.Token);
            outcome = context.IsTerminal && !context.Json
                ? await ShowLiveAsync(context, runId, monitor, waiting)
                : await ShowLinesAsync(context, runId, monitor, waiting);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            outcome = null;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            await linked.CancelAsync();
            await events;
        }

        return outcome is null ? await InterruptedAsync(context, client, runId) : Finish(context, runId, outcome);
    }

    private static async Task<KickoffOutcome> ShowLiveAsync(CliContext context, Guid runId, RunMonitor monitor, Task<KickoffOutcome> waiting)
    {
        string? hinted = null;
        await context.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask(Markup.Escape(monitor.Describe()), maxValue: 1);
                while (true)
                {
                    var done = await Task.WhenAny(waiting, Task.Delay(Refresh)) == waiting;
                    bar.MaxValue = Math.Max(1, monitor.Total);
                    bar.Value = done && waiting.IsCompletedSuccessfully && waiting.Result.Succeeded ? bar.MaxValue : monitor.Completed;
                    bar.Description = Markup.Escape(monitor.Describe());
                    if (ReviewHint(runId, monitor, ref hinted) is { } hint)
                    {
                        // Written through the live view's console, so it lands above the progress bar.
                        context.Out.WriteLine(hint);
                    }

                    if (done)
                    {
                        bar.StopTask();
                        return;
                    }
                }
            });
        return await waiting;
    }

    /// <summary>Not a terminal (or --json): a line on stderr each time the picture changes, so logs stay readable.</summary>
    private static async Task<KickoffOutcome> ShowLinesAsync(CliContext context, Guid runId, RunMonitor monitor, Task<KickoffOutcome> waiting)
    {
        var started = DateTimeOffset.UtcNow;
        string? shown = null;
        string? hinted = null;
        while (await Task.WhenAny(waiting, Task.Delay(Refresh)) != waiting)
        {
            var now = monitor.Describe();
            if (now != shown)
            {
                shown = now;
                await context.Error.WriteLineAsync($"[{DateTimeOffset.UtcNow - started:hh\\:mm\\:ss}] {now}");
            }

            if (ReviewHint(runId, monitor, ref hinted) is { } hint)
            {
                await context.Error.WriteLineAsync(hint);
            }
        }

        return await waiting;
    }

    /// <summary>
    /// When the run has paused for review of a task not hinted yet, the <c>muster resume</c> command that answers it, as
    /// <c>muster status</c> shows it; the wait goes on, so that an answer given from another terminal is followed here. The
    /// command has a line of its own, so that a terminal as narrow as 80 columns does not break it where it is copied from.
    /// Once per task: polls and events may disagree for a moment about whether the run is paused.
    /// </summary>
    private static string? ReviewHint(Guid runId, RunMonitor monitor, ref string? hinted)
    {
        if (monitor.PendingTask is not { } pending || pending == hinted)
        {
            return null;
        }

        hinted = pending;
        return $"Run {runId} awaits review of {pending}; answer it with (or --retry --feedback TEXT):\n{Display.ApproveCommand(runId, pending)}";
    }

    /// <summary>Muster's live events add the agent and tokens to the view; a server without them (plain AMP) just has polls.</summary>
    private static async Task FollowEventsAsync(MusterClient client, Guid runId, RunMonitor monitor, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var runEvent in client.StreamRunEventsAsync(runId.ToString(), cancellationToken: cancellationToken))
            {
                monitor.Apply(runEvent);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The wait ended; so does the stream.
        }
        catch (Exception ex) when (ex is MusterApiException or HttpRequestException or IOException or JsonException)
        {
            // No event stream here; the status polls alone drive the view.
        }
    }

    private static int Finish(CliContext context, Guid runId, KickoffOutcome outcome)
    {
        if (context.Json)
        {
            context.WriteJson(outcome.FinalStatus, MusterJsonContext.Default.StatusResponse);
        }

        var time = outcome.ExecutionTime is { } seconds ? $" in {Display.Seconds(seconds)}" : string.Empty;
        var tokens = outcome.FinalStatus.TokenUsage is { } usage ? $", {Display.Count(usage.TotalTokens)} tokens" : string.Empty;
        if (!outcome.Succeeded)
        {
            return CommandRunner.Fail(ExitCodes.Failed, $"run {runId} failed{time}{tokens}: {outcome.Error}");
        }

        if (!context.Json)
        {
            context.Line(outcome.Output ?? string.Empty);
        }

        context.Error.WriteLine($"Run {runId} completed{time}: {outcome.Tasks.Count} tasks{tokens}.");
        return ExitCodes.Ok;
    }

    private static async Task<int> InterruptedAsync(CliContext context, MusterClient client, Guid runId)
    {
        if (context.CanPrompt && await new ConfirmationPrompt($"Stop run {runId} on the server too?") { DefaultValue = false }.ShowAsync(context.Out, CancellationToken.None))
        {
            try
            {
                await client.StopAsync(runId, CancellationToken.None);
            }
            catch (MusterApiException ex) when (ex.StatusCode == HttpStatusCode.BadRequest)
            {
                // The run may have ended while the question was asked: then nothing is left to stop, and nothing went wrong.
                var status = await client.GetStatusAsync(runId, CancellationToken.None);
                if (status.Status == "running")
                {
                    throw;
                }

                var state = status.State is null ? status.Status : $"{status.Status} ({status.State})";
                await context.Error.WriteLineAsync($"Run {runId} had already finished: {state}; there was nothing to stop. See it with: muster status {runId}");
                return ExitCodes.Ok;
            }

            await context.Error.WriteLineAsync($"Stopped run {runId}.");
            return ExitCodes.Interrupted;
        }

        await context.Error.WriteLineAsync($"Interrupted. Run {runId} is still running on the server: follow it with: muster status {runId}; stop it with: muster stop {runId}");
        return ExitCodes.Interrupted;
    }
}
