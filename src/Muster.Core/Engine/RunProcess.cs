using Muster.Core.Crews;

namespace Muster.Core.Engine;

/// <summary>Who performs a task, whom they may delegate to, and what the process tells the performer beyond the task.</summary>
internal readonly record struct Assignment(AgentDefinition? Performer, IReadOnlyList<AgentDefinition> Coworkers, string? Instructions);

/// <summary>How a process stopped going through the crew's tasks; the engine turns it into the run's last event.</summary>
internal abstract record ProcessEnd
{
    private ProcessEnd()
    {
    }

    /// <summary>Every task completed.</summary>
    public sealed record Finished : ProcessEnd
    {
        public static readonly Finished Instance = new();
    }

    /// <summary>A human-input task produced <paramref name="Output"/>, which waits for review; every background task has ended.</summary>
    public sealed record Paused(TaskOutput Output) : ProcessEnd;

    /// <summary>A task failed (its failure events are written); the background tasks may still run.</summary>
    public sealed record Failed(TaskOutcome Task) : ProcessEnd;
}

/// <summary>
/// A crew's process: goes through the tasks in order from the checkpoint, each through the <see cref="TaskPipeline"/>,
/// and says how it ended. The tasks' order, the reviewer's answer to a paused task, <c>async_execution</c> and
/// <c>human_input</c> are the same in every process; a process decides who performs each task (<see cref="Assign"/>).
/// </summary>
internal abstract class RunProcess(RunContext run)
{
    private readonly TaskPipeline _pipeline = new(run);

    protected RunContext Run => run;

    public static RunProcess For(RunContext run) =>
        run.Crew.Process == CrewProcess.Hierarchical ? new HierarchicalProcess(run) : new SequentialProcess(run);

    /// <summary>Runs the tasks the checkpoint has not completed; <paramref name="background"/> holds the async ones.</summary>
    /// <param name="checkpoint">What the run did before, and a reviewer's answer to the task it paused on.</param>
    /// <param name="background">The run's <c>async_execution</c> tasks; the engine stops them when the run ends.</param>
    /// <param name="cancellationToken">The run's work: cancelled when the run is, and when a background task fails.</param>
    public async Task<ProcessEnd> RunAsync(RunCheckpoint checkpoint, Background background, CancellationToken cancellationToken)
    {
        (TaskOutput Previous, string Feedback)? revision = null;
        if (checkpoint is { PendingReview: { } pending, Review: { } review })
        {
            // The reviewed attempt's calls were made either way: the run pays for them whether the output is kept or redone.
            run.Progress.AddUsage(pending.Usage);
            if (review.Approved && await _pipeline.CompleteAsync(run.Crew.Tasks.FirstOrDefault(t => t.Name == pending.Name), pending, cancellationToken) is { } unwritten)
            {
                return new ProcessEnd.Failed(unwritten);
            }

            if (!review.Approved)
            {
                revision = (pending, review.Feedback);
            }
        }

        foreach (var task in run.Crew.Tasks.Where(t => !run.Progress.IsCompleted(t.Name)))
        {
            if (await background.JoinAsync(background.NeededBy(task)) is { } failedEarlier)
            {
                return new ProcessEnd.Failed(failedEarlier);
            }

            var context = Prompts.Context(task, run.Progress.Completed);
            if (revision is { } r && r.Previous.Name == task.Name)
            {
                var redo = Prompts.Revision(r.Previous, r.Feedback);
                context = string.IsNullOrEmpty(context) ? redo : context + Prompts.ContextDivider + redo;
            }

            if (task.AsyncExecution)
            {
                background.Start(task, () => PerformAndCompleteAsync(task, context, cancellationToken));
                continue;
            }

            var outcome = await _pipeline.PerformAsync(task, Assign(task), context, cancellationToken);
            if (outcome.Output is not { } output)
            {
                return new ProcessEnd.Failed(outcome);
            }

            if (revision is { } redone && redone.Previous.Name == task.Name)
            {
                // A task's usage is every attempt's, as with guardrail retries: the rejected ones are part of what it cost.
                output = output with { Usage = output.Usage + redone.Previous.Usage };
            }

            if (task.HumanInput)
            {
                // The checkpoint a paused run leaves must hold everything that ran, so background tasks finish first.
                return await background.JoinAsync(background.Names) is { } failedMeanwhile
                    ? new ProcessEnd.Failed(failedMeanwhile)
                    : new ProcessEnd.Paused(output);
            }

            if (await _pipeline.CompleteAsync(task, output, cancellationToken) is { } unwritten)
            {
                return new ProcessEnd.Failed(unwritten);
            }
        }

        return await background.JoinAsync(background.Names) is { } failedLast
            ? new ProcessEnd.Failed(failedLast)
            : ProcessEnd.Finished.Instance;
    }

    /// <summary>Who performs <paramref name="task"/> in this process, and whom they may delegate to.</summary>
    protected abstract Assignment Assign(TaskDefinition task);

    private async Task<TaskOutcome> PerformAndCompleteAsync(TaskDefinition task, string context, CancellationToken cancellationToken)
    {
        var outcome = await _pipeline.PerformAsync(task, Assign(task), context, cancellationToken);
        return outcome.Output is { } output ? await _pipeline.CompleteAsync(task, output, cancellationToken) ?? outcome : outcome;
    }
}
