namespace Muster.Storage;

/// <summary>
/// What the storage provider that was added allows: several nodes sharing the store (PostgreSQL), or one node owning it
/// (SQLite), which may then end every lease it finds at start.
/// </summary>
public sealed record StorageTopology(bool SharedByNodes);
