using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Muster.Core.Crews;
using Muster.Core.Guardrails;
using Muster.Core.Llm;
using Muster.Core.Outputs;
using Muster.Core.Tools;

namespace Muster.Core.Engine;

/// <summary>
/// Runs a crew's tasks in order (CrewAI's sequential process, or its hierarchical one, where a manager delegates
/// each task), from a checkpoint, emitting every event through the sink. A task with <c>async_execution</c> runs in
/// the background until a later task that needs it (or the end of the crew) waits for it. Everything is async:
/// a run waiting on its LLM holds no thread.
/// </summary>
public sealed partial class CrewEngine(
    ILlmClientProvider llms,
    IToolRegistry tools,
    IGuardrailRegistry guardrails,
    IOptions<LlmOptions> llmOptions,
    IOptions<CrewEngineOptions> engineOptions,
    TimeProvider timeProvider,
    ILogger<CrewEngine> logger,
    IMcpToolSource mcpTools) : ICrewEngine
{
    /// <inheritdoc/>
    public async Task<RunOutcome> RunAsync(Guid runId, CrewDefinition crew, RunCheckpoint checkpoint, IRunSink sink, CancellationToken cancellationToken)
    {
        if (checkpoint is { PendingReview: { } waiting, Review: null })
        {
            return new RunOutcome { Kind = RunOutcomeKind.AwaitingHuman, PendingReview = waiting };
        }

        var inputs = crew.InputValues is { } values ? InputTexts.From(values.ToJsonString()) : InputTexts.None;
        using var events = new RunEventWriter(runId, checkpoint, engineOptions.Value.MaxRunBytes, inputs, sink, timeProvider, cancellationToken);
        var run = new RunProgress(crew, checkpoint, timeProvider);
        await using var mcp = mcpTools.OpenSession(crew);
        var runner = new TaskRunner(crew, events, run, llms, tools, guardrails, mcp, llmOptions.Value, engineOptions.Value, timeProvider);
        // Cancelled when the run is, and when a background task fails: the other tasks then stop at once.
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var background = new Background(work);
        try
        {
            await events.PublishAsync(new CrewKickoffStarted(
                crew.Name,
                (JsonObject?)crew.InputValues?.DeepClone() ?? [],
                crew.Tasks.Count,
                Resumed: checkpoint.LastSequence > 0 || checkpoint.CompletedTasks.Count > 0));

            (TaskOutput Previous, string Feedback)? revision = null;
            if (checkpoint is { PendingReview: { } pending, Review: { } review })
            {
                // The reviewed attempt's calls were made either way: the run pays for them whether the output is kept or redone.
                run.AddUsage(pending.Usage);
                if (review.Approved && await CompleteAsync(events, run, crew.Tasks.FirstOrDefault(t => t.Name == pending.Name), pending, cancellationToken) is { } unwritten)
                {
                    return await FailAsync(events, run, crew, background, unwritten);
                }

                if (!review.Approved)
                {
                    revision = (pending, review.Feedback);
                }
            }

            foreach (var task in crew.Tasks.Where(t => !run.IsCompleted(t.Name)))
            {
                if (await background.JoinAsync(background.NeededBy(task)) is { } failedEarlier)
                {
                    return await FailAsync(events, run, crew, background, failedEarlier);
                }

                var context = Prompts.Context(task, run.Completed);
                if (revision is { } r && r.Previous.Name == task.Name)
                {
                    var redo = Prompts.Revision(r.Previous, r.Feedback);
                    context = string.IsNullOrEmpty(context) ? redo : context + Prompts.ContextDivider + redo;
                }

                if (task.AsyncExecution)
                {
                    background.Start(task, () => RunAndCompleteAsync(runner, events, run, task, context, work.Token));
                    continue;
                }

                var outcome = await runner.RunAsync(task, context, work.Token);
                if (outcome.Output is not { } output)
                {
                    return await FailAsync(events, run, crew, background, outcome);
                }

                if (revision is { } redone && redone.Previous.Name == task.Name)
                {
                    // A task's usage is every attempt's, as with guardrail retries: the rejected ones are part of what it cost.
                    output = output with { Usage = output.Usage + redone.Previous.Usage };
                }

                if (task.HumanInput)
                {
                    // The checkpoint a paused run leaves must hold everything that ran, so background tasks finish first.
                    if (await background.JoinAsync(background.Names) is { } failedMeanwhile)
                    {
                        return await FailAsync(events, run, crew, background, failedMeanwhile);
                    }

                    await events.PublishAsync(new TaskAwaitingHuman(output));
                    return new RunOutcome { Kind = RunOutcomeKind.AwaitingHuman, PendingReview = output };
                }

                if (await CompleteAsync(events, run, task, output, work.Token) is { } unwritten)
                {
                    return await FailAsync(events, run, crew, background, unwritten);
                }
            }

            if (await background.JoinAsync(background.Names) is { } failedLast)
            {
                return await FailAsync(events, run, crew, background, failedLast);
            }

            var crewOutput = run.ToCrewOutput();
            await events.PublishAsync(new CrewKickoffCompleted(crewOutput.Raw, crewOutput.JsonDict, crewOutput.Usage, crewOutput.ExecutionTimeSeconds));
            return new RunOutcome { Kind = RunOutcomeKind.Completed, Output = crewOutput };
        }
        catch (RunLimitExceededException ex)
        {
            // An event outside any task would have gone past the limit (the run's start, its end, a pause for review).
            await background.StopAsync();
            return await EndFailedAsync(events, run, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopped(logger, runId);
            return new RunOutcome { Kind = RunOutcomeKind.Stopped, Error = "The run was cancelled." };
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            // A background task failed while the crew waited on something else, which was stopped for it.
            return await background.FirstFailureAsync() is { } failedInBackground
                ? await FailAsync(events, run, crew, background, failedInBackground)
                : throw new InvalidOperationException("The run's work was cancelled without a failed task to account for it.");
        }
        finally
        {
            await background.StopAsync();
        }
    }

    private async Task<TaskOutcome> RunAndCompleteAsync(
        TaskRunner runner, RunEventWriter events, RunProgress run, TaskDefinition task, string context, CancellationToken cancellationToken)
    {
        var outcome = await runner.RunAsync(task, context, cancellationToken);
        return outcome.Output is { } output ? await CompleteAsync(events, run, task, output, cancellationToken) ?? outcome : outcome;
    }

    /// <summary>
    /// Records a finished task, writing its <c>output_file</c> first. Returns the task as failed, with its failure event
    /// written, when that file cannot be written (a disk full, a link made in the run's folder meanwhile); null otherwise.
    /// </summary>
    private async Task<TaskOutcome?> CompleteAsync(RunEventWriter events, RunProgress run, TaskDefinition? task, TaskOutput output, CancellationToken cancellationToken)
    {
        if (task?.OutputFile is { Length: > 0 } file)
        {
            try
            {
                await OutputFiles.WriteAsync(OutputFiles.Resolve(engineOptions.Value.OutputRoot, events.RunId, file), output.Raw, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                var failure = new IOException($"Could not write output_file '{file}': {ex.Message}", ex);
                await events.PublishAsync(new TaskFailed(task.Name, output.Agent, failure.Message));
                return new TaskOutcome(task, null, failure);
            }
        }

        run.Complete(output);
        try
        {
            await events.PublishAsync(new TaskCompleted(output));
        }
        catch (RunLimitExceededException ex) when (task is not null)
        {
            // The output is not recorded, so the task did not complete: it ends as failed, as every started task ends.
            await events.PublishAsync(new TaskFailed(task.Name, output.Agent, ex.Message));
            return new TaskOutcome(task, null, ex);
        }

        return null;
    }

    /// <summary>Stops the background tasks, then ends the run as failed with the task's reason.</summary>
    private async Task<RunOutcome> FailAsync(RunEventWriter events, RunProgress run, CrewDefinition crew, Background background, TaskOutcome failed)
    {
        await background.StopAsync();
        LogTaskFailed(logger, failed.Failure, failed.Task.Name, crew.Name);
        return await EndFailedAsync(events, run, $"Task '{failed.Task.Name}' failed: {failed.Failure?.Message}");
    }

    private static async Task<RunOutcome> EndFailedAsync(RunEventWriter events, RunProgress run, string error)
    {
        await events.PublishAsync(new CrewKickoffFailed(error, Stopped: false, run.Usage, run.ElapsedSeconds));
        return new RunOutcome { Kind = RunOutcomeKind.Failed, Error = error };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} cancelled")]
    private static partial void LogStopped(ILogger logger, Guid runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Task} of crew {Crew} failed")]
    private static partial void LogTaskFailed(ILogger logger, Exception? exception, string task, string crew);
}
