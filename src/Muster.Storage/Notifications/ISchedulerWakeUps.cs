namespace Muster.Storage.Notifications;

/// <summary>Wake-ups of the schedulers (this node's and, on PostgreSQL, every node's): there may be a runnable run.</summary>
public interface ISchedulerWakeUps
{
    /// <summary>Asks the schedulers to look for runnable runs, e.g. after a kickoff or a resume.</summary>
    ValueTask WakeSchedulersAsync(CancellationToken cancellationToken);

    /// <summary>Completes when a wake-up arrives, or at once when one arrived since the last wait (wake-ups coalesce).</summary>
    ValueTask WaitForWakeUpAsync(CancellationToken cancellationToken);
}
