namespace Muster.Server.Execution;

/// <summary>Stop signals that arrived before this node registered the run they name.</summary>
internal sealed class StopSignals
{
    // Bounded so that signals for runs executing on other nodes cannot pile up; an early signal is rare and recent.
    private const int Capacity = 1024;
    private readonly Lock _lock = new();
    private readonly LinkedList<Guid> _order = new();
    private readonly HashSet<Guid> _ids = [];

    public void Remember(Guid runId)
    {
        lock (_lock)
        {
            if (!_ids.Add(runId))
            {
                return;
            }

            _order.AddLast(runId);
            if (_order.Count > Capacity)
            {
                _ids.Remove(_order.First!.Value);
                _order.RemoveFirst();
            }
        }
    }

    /// <summary>True (once) when a stop for <paramref name="runId"/> arrived early.</summary>
    public bool Take(Guid runId)
    {
        lock (_lock)
        {
            if (!_ids.Remove(runId))
            {
                return false;
            }

            _order.Remove(runId);
            return true;
        }
    }
}

/// <summary>Who this node is in leases, and whether it is the only node (SQLite) and so may take over leases at start.</summary>
internal sealed record SchedulerIdentity(string NodeId, bool SingleNode);
