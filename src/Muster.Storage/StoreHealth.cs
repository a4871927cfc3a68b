namespace Muster.Storage;

/// <summary>A store failure that readiness reports: its kind, what to tell, and since when it lasts.</summary>
public sealed record StoreProblem(StoreFailureKind Kind, string Message, DateTimeOffset Since);

/// <summary>
/// Whether runs can be stored, from the outcome of the store's recent reads and writes: the last read and the last
/// write each either succeeded or failed with a <see cref="StoreFailureKind"/>. Reads and writes are kept apart because
/// they fail apart (a SQLite file locked by another process still serves reads). A write that wrote nothing (a claim that
/// found no run) shows the store answers, not that it has room, so it clears every failure but a full disk. A write
/// failure counts for <see cref="RecentWrites"/>: a node that writes nothing for that long trusts its reads again until
/// its next write says otherwise. A corrupt database stays reported until the process restarts: no later success shows
/// that the damaged pages were repaired.
/// </summary>
public sealed class StoreHealth(TimeProvider time)
{
    /// <summary>How long a failed write counts when no write has been tried since.</summary>
    public static readonly TimeSpan RecentWrites = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private StoreProblem? _read;
    private StoreProblem? _write;
    private StoreProblem? _corrupt;
    private DateTimeOffset _lastWriteFailure;
    private bool _reported;

    /// <summary>Raised when the store goes from usable to failing (with the problem) and back (with null), once each way.</summary>
    public event Action<StoreProblem?>? Changed;

    /// <summary>Why runs cannot be stored now, or null when nothing says they cannot.</summary>
    public StoreProblem? Problem
    {
        get
        {
            lock (_lock)
            {
                return Current();
            }
        }
    }

    internal void Succeeded(bool write, bool wroteSomething = true)
    {
        // Every read and write of a healthy store comes here: with nothing to clear it takes no lock.
        if ((write ? Volatile.Read(ref _write) : Volatile.Read(ref _read)) is null)
        {
            return;
        }

        (bool Changed, StoreProblem? Problem) change;
        lock (_lock)
        {
            if (write)
            {
                if (wroteSomething || _write is not { Kind: StoreFailureKind.Full })
                {
                    _write = null;
                }
            }
            else
            {
                _read = null;
            }

            change = Transition();
        }

        Raise(change);
    }

    internal void Failed(StoreUnavailableException failure, bool write)
    {
        (bool Changed, StoreProblem? Problem) change;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var lane = write ? _write : _read;
            // A failure that goes on keeps the time it began.
            var problem = new StoreProblem(failure.Kind, failure.Message, lane?.Kind == failure.Kind ? lane.Since : now);
            if (failure.Kind == StoreFailureKind.Corrupt)
            {
                _corrupt ??= problem;
            }

            if (write)
            {
                _write = problem;
                _lastWriteFailure = now;
            }
            else
            {
                _read = problem;
            }

            change = Transition();
        }

        Raise(change);
    }

    private StoreProblem? Current()
    {
        var write = _write is not null && time.GetUtcNow() - _lastWriteFailure <= RecentWrites ? _write : null;
        return _corrupt ?? write ?? _read;
    }

    private (bool Changed, StoreProblem? Problem) Transition()
    {
        var problem = Current();
        if ((problem is not null) == _reported)
        {
            return (false, problem);
        }

        _reported = problem is not null;
        return (true, problem);
    }

    private void Raise((bool Changed, StoreProblem? Problem) change)
    {
        if (change.Changed)
        {
            Changed?.Invoke(change.Problem);
        }
    }
}
