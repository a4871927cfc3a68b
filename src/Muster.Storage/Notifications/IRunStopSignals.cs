namespace Muster.Storage.Notifications;

/// <summary>Requests to stop a run, for whichever node executes it (this one or, on PostgreSQL, another).</summary>
public interface IRunStopSignals
{
    /// <summary>
    /// Asks whichever node executes <paramref name="runId"/> to stop it; <paramref name="reason"/> is the error the stopped
    /// run will show (who stopped it, when), or null for the default.
    /// </summary>
    ValueTask SignalStopAsync(Guid runId, string? reason, CancellationToken cancellationToken);

    /// <summary>Stop signals addressed to this node's scheduler (one reader): run ids it should stop if it executes them.</summary>
    IAsyncEnumerable<RunStopSignal> ReadStopSignalsAsync(CancellationToken cancellationToken);
}

/// <summary>A request to stop a run; <see cref="Reason"/> becomes the stopped run's error when given.</summary>
public sealed record RunStopSignal(Guid RunId, string? Reason);
