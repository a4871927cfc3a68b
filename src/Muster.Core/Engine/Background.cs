using Muster.Core.Crews;

namespace Muster.Core.Engine;

/// <summary>
/// The <c>async_execution</c> tasks of a run that are still running or not yet joined. A task failing in the
/// background cancels <c>work</c>, so the run stops promptly instead of finishing tasks whose result is lost.
/// </summary>
internal sealed class Background(CancellationTokenSource work)
{
    private readonly Dictionary<string, Task<TaskOutcome>> _pending = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Names => [.. _pending.Keys];

    public void Start(TaskDefinition task, Func<Task<TaskOutcome>> run) => _pending[task.Name] = WatchAsync(run);

    /// <summary>
    /// The background tasks <paramref name="task"/> must wait for: those its <c>context</c> names; with no <c>context</c>,
    /// all of them for a task that runs in the foreground (it sees every earlier output), none for another async task
    /// (it starts with the outputs finished so far, as in CrewAI).
    /// </summary>
    public IReadOnlyList<string> NeededBy(TaskDefinition task) => task.Context switch
    {
        null when task.AsyncExecution => [],
        null => Names,
        var context => [.. context.Where(_pending.ContainsKey)],
    };

    /// <summary>Waits for the named tasks (their outputs are then recorded); returns the first failure, or null.</summary>
    public async Task<TaskOutcome?> JoinAsync(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            var outcome = await _pending[name];
            _pending.Remove(name);
            if (outcome.Failure is not null)
            {
                return outcome;
            }
        }

        return null;
    }

    /// <summary>The failure that cancelled the work, once every background task has ended.</summary>
    public async Task<TaskOutcome?> FirstFailureAsync()
    {
        await ((Task)Task.WhenAll(_pending.Values)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return _pending.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).FirstOrDefault(o => o.Failure is not null);
    }

    /// <summary>Cancels what still runs and waits for it to end, so that nothing writes events after the run's outcome.</summary>
    public async Task StopAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        await work.CancelAsync();
        await ((Task)Task.WhenAll(_pending.Values)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _pending.Clear();
    }

    private async Task<TaskOutcome> WatchAsync(Func<Task<TaskOutcome>> run)
    {
        // Yield first, so the crew goes on with the next task while this one starts.
        await Task.Yield();
        var outcome = await run();
        if (outcome.Failure is not null)
        {
            await work.CancelAsync();
        }

        return outcome;
    }
}
