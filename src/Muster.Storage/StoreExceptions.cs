namespace Muster.Storage;

/// <summary>
/// An event's sequence was not the run's next one: another writer appended first (the run is executing
/// on two nodes, or an event was replayed). The caller must stop driving the run rather than retry blindly.
/// </summary>
public sealed class EventSequenceException(Guid runId, long expected, long actual)
    : InvalidOperationException($"Run {runId} expects event sequence {expected}, got {actual}.")
{
    public Guid RunId { get; } = runId;
    public long Expected { get; } = expected;
    public long Actual { get; } = actual;
}

/// <summary>A write addressed a run that is not in the store (deleted, or never created).</summary>
public sealed class RunNotFoundException(Guid runId) : InvalidOperationException($"Run {runId} does not exist.")
{
    public Guid RunId { get; } = runId;
}

/// <summary>
/// A node wrote to a run whose lease it no longer holds: the lease lapsed and another node took the run over.
/// The writer must walk away from the run; the new owner continues it.
/// </summary>
public sealed class LeaseLostException(Guid runId, string nodeId)
    : InvalidOperationException($"Node {nodeId} no longer holds the lease of run {runId}.")
{
    public Guid RunId { get; } = runId;
    public string NodeId { get; } = nodeId;
}

/// <summary>Another Muster server holds the store's server lock (<see cref="Sqlite.SqliteServerLock"/>): a second server on one SQLite file would take over the first one's runs.</summary>
public sealed class StoreInUseException(string databaseFile, Exception inner)
    : InvalidOperationException(
        $"Another Muster server serves the store {databaseFile}; stop it first, or give this one its own store with Muster:Storage:ConnectionString.", inner)
{
    public string DatabaseFile { get; } = databaseFile;
}
