using System.Collections.Concurrent;
using Muster.Core.Crews;

namespace Muster.Storage.Sql;

/// <summary>
/// Crew snapshots already read, by run id. A run's snapshot is written once, at kickoff, and never changed, so the reads of
/// one run (a client polling its status above all) can share one instance instead of parsing the same JSON each time
/// (bench/RESULTS.md: a run read 80 → 62 µs, 12.7 → 10.0 KB allocated). The instances are shared, so nothing
/// may change them (the definitions are immutable records; their JSON nodes are only ever read or deep-cloned).
/// Bounded: the cache is emptied when it reaches its capacity, which costs one parse per run afterwards.
/// </summary>
internal sealed class CrewSnapshots(int capacity = CrewSnapshots.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    private readonly ConcurrentDictionary<string, CrewDefinition> _byRun = new(StringComparer.Ordinal);

    public CrewDefinition Read(string runId, string json)
    {
        if (_byRun.TryGetValue(runId, out var crew))
        {
            return crew;
        }

        crew = StoreJson.Read<CrewDefinition>(json);
        if (_byRun.Count >= capacity)
        {
            _byRun.Clear();
        }

        _byRun[runId] = crew;
        return crew;
    }
}
