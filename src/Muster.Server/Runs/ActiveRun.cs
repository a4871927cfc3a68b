namespace Muster.Server.Runs;

/// <summary>A run executing on this node: its cancellation and why it was cancelled.</summary>
// The token source is never disposed: it has no timer or links, and cancelling after a dispose would race with cleanup.
internal sealed class ActiveRun(Guid runId)
{
    private readonly CancellationTokenSource _cancellation = new();
    private int _reason;

    public Guid RunId { get; } = runId;

    public CancellationToken Token => _cancellation.Token;

    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>Why the run was cancelled; the first reason wins.</summary>
    public CancelReason Reason => (CancelReason)Volatile.Read(ref _reason);

    /// <summary>The error a stopped run shows (who stopped it, when), when the stop request said.</summary>
    public string? StopMessage { get; private set; }

    public void Stop(string? message)
    {
        StopMessage ??= message;
        Cancel(CancelReason.StopRequested);
    }

    public void Cancel(CancelReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)CancelReason.None) == (int)CancelReason.None)
        {
            _cancellation.Cancel();
        }
    }
}

internal enum CancelReason
{
    None,
    /// <summary>Someone asked to stop the run: it ends as stopped.</summary>
    StopRequested,
    /// <summary>Another node holds the run now: this node walks away without a word.</summary>
    LeaseLost,
    /// <summary>This node shuts down: the run stays claimable and continues elsewhere or after restart.</summary>
    Shutdown,
    /// <summary>The run's events could not be recorded: the run stays claimable and continues from what was stored.</summary>
    StoreFailed,
}
