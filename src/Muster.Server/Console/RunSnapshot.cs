using Muster.Contracts.Runs;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary>Everything a run page shows, read together: the run, its events, its task outputs, deliveries and files.</summary>
internal sealed record RunSnapshot(
    RunRecord Run,
    IReadOnlyList<RunEventRecord> Events,
    IReadOnlyList<TaskOutput> Tasks,
    IReadOnlyList<DeliveryRecord> Deliveries,
    IReadOnlyList<RunFileRecord> Files)
{
    private const int EventPage = 1000;

    /// <summary>
    /// Reads what a run page shows. With <paramref name="previous"/>, only the events after its last one are read, and the
    /// task outputs only when a task finished since.
    /// </summary>
    public static async Task<RunSnapshot> LoadAsync(ConsoleBackend backend, RunRecord run, RunSnapshot? previous, CancellationToken cancellationToken)
    {
        var events = previous is null ? new List<RunEventRecord>() : [.. previous.Events];
        var after = events.Count > 0 ? events[^1].Sequence : 0;
        var newTask = previous is null;
        while (true)
        {
            var page = await backend.GetEventsAsync(run.Id, after, EventPage, cancellationToken);
            events.AddRange(page);
            newTask |= page.Any(e => e.Type is RunEventTypes.TaskCompleted or RunEventTypes.TaskAwaitingHuman);
            if (page.Count < EventPage)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        var tasks = newTask || previous is null ? await backend.GetTaskResultsAsync(run, cancellationToken) : previous.Tasks;
        var deliveries = await backend.GetDeliveriesAsync(run, cancellationToken);
        return new RunSnapshot(run, events, tasks, deliveries, backend.GetFiles(run));
    }
}
