using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Muster.Core.Costs;
using Muster.Core.Crews;
using Muster.Core.Guardrails;
using Muster.Core.Llm;
using Muster.Core.Tools;

namespace Muster.Core.Engine;

/// <summary>
/// Runs a crew from a checkpoint, emitting every event through the sink: the run's start, then its process
/// (<see cref="SequentialProcess"/>, or <see cref="HierarchicalProcess"/> where a manager delegates each task) takes each task
/// through the <see cref="TaskPipeline"/>, then the run's end, in one place for every way a run ends. A task with
/// <c>async_execution</c> runs in the background until a later task that needs it (or the end of the crew) waits for it.
/// Everything is async: a run waiting on its LLM holds no thread.
/// </summary>
internal sealed partial class CrewEngine(
    ILlmClientProvider llms,
    IToolRegistry tools,
    IGuardrailRegistry guardrails,
    IOptions<LlmOptions> llmOptions,
    IOptions<CrewEngineOptions> engineOptions,
    TimeProvider timeProvider,
    ILogger<CrewEngine> logger,
    IMcpToolSource mcpTools,
    PriceList prices) : ICrewEngine
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
        await using var mcp = mcpTools.OpenSession(crew);
        var run = new RunContext(
            crew, events, new RunProgress(crew, checkpoint, timeProvider), llms, tools, guardrails, mcp, llmOptions.Value, engineOptions.Value, timeProvider,
            new RunMeter(crew.Budget, checkpoint, prices, timeProvider));
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

            switch (await RunProcess.For(run).RunAsync(checkpoint, background, work.Token))
            {
                case ProcessEnd.Failed failed:
                    return await FailAsync(run, background, failed.Task);
                case ProcessEnd.Paused paused:
                    await events.PublishAsync(new TaskAwaitingHuman(paused.Output));
                    return new RunOutcome { Kind = RunOutcomeKind.AwaitingHuman, PendingReview = paused.Output };
                default:
                    var crewOutput = run.Progress.ToCrewOutput();
                    await events.PublishAsync(new CrewKickoffCompleted(crewOutput.Raw, crewOutput.JsonDict, crewOutput.Usage, crewOutput.ExecutionTimeSeconds));
                    return new RunOutcome { Kind = RunOutcomeKind.Completed, Output = crewOutput };
            }
        }
        catch (RunLimitExceededException ex)
        {
            // An event outside any task would have gone past the limit (the run's start, its end, a pause for review).
            await background.StopAsync();
            return await EndFailedAsync(run, ex.Message);
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
                ? await FailAsync(run, background, failedInBackground)
                : throw new InvalidOperationException("The run's work was cancelled without a failed task to account for it.");
        }
        finally
        {
            await background.StopAsync();
        }
    }

    /// <summary>Stops the background tasks, then ends the run as failed with the task's reason.</summary>
    private async Task<RunOutcome> FailAsync(RunContext run, Background background, TaskOutcome failed)
    {
        await background.StopAsync();
        if (BudgetExceededException.Find(failed.Failure) is { } overBudget)
        {
            // Not the task's failure: the run stopped itself, and says which limit it reached.
            LogBudgetExceeded(logger, run.Events.RunId, overBudget.Message);
            await run.Events.PublishAsync(overBudget.Event);
            return await EndFailedAsync(run, overBudget.Message);
        }

        LogTaskFailed(logger, failed.Failure, failed.Task.Name, run.Crew.Name);
        return await EndFailedAsync(run, $"Task '{failed.Task.Name}' failed: {failed.Failure?.Message}");
    }

    private static async Task<RunOutcome> EndFailedAsync(RunContext run, string error)
    {
        await run.Events.PublishAsync(new CrewKickoffFailed(error, Stopped: false, run.Progress.Usage, run.Progress.ElapsedSeconds));
        return new RunOutcome { Kind = RunOutcomeKind.Failed, Error = error };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} cancelled")]
    private static partial void LogStopped(ILogger logger, Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} stopped by its budget: {Reason}")]
    private static partial void LogBudgetExceeded(ILogger logger, Guid runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Task} of crew {Crew} failed")]
    private static partial void LogTaskFailed(ILogger logger, Exception? exception, string task, string crew);
}
