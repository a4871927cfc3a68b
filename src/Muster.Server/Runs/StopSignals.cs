using Muster.Storage.Notifications;

namespace Muster.Server.Runs;

/// <summary>Stop signals that arrived before this node registered the run they name.</summary>
internal sealed class StopSignals
{
    // Bounded so that signals for runs executing on other nodes cannot pile up; an early signal is rare and recent.
    private const int Capacity = 1024;
    private readonly Lock _lock = new();
    private readonly LinkedList<Guid> _order = new();
    private readonly Dictionary<Guid, string?> _reasons = [];

    public void Remember(RunStopSignal signal)
    {
        lock (_lock)
        {
            if (!_reasons.TryAdd(signal.RunId, signal.Reason))
            {
                return;
            }

            _order.AddLast(signal.RunId);
            if (_order.Count > Capacity)
            {
                _reasons.Remove(_order.First!.Value);
                _order.RemoveFirst();
            }
        }
    }

    /// <summary>The early stop signal for <paramref name="runId"/>, once, or null when none arrived.</summary>
    public RunStopSignal? Take(Guid runId)
    {
        lock (_lock)
        {
            if (!_reasons.Remove(runId, out var reason))
            {
                return null;
            }

            _order.Remove(runId);
            return new RunStopSignal(runId, reason);
        }
    }
}

/// <summary>Who this node is in leases, and whether it is the only node (SQLite) and so may take over leases at start.</summary>
internal sealed record SchedulerIdentity(string NodeId, bool SingleNode);
