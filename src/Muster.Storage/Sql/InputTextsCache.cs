using System.Collections.Concurrent;
using Muster.Core.Crews;

namespace Muster.Storage.Sql;

/// <summary>
/// The <see cref="InputTexts"/> of runs a node writes or reads, by run id, so appends do not read the inputs again. Bounded by
/// count and by the characters held: past either it starts afresh, which costs one read of a run's inputs afterwards.
/// </summary>
internal sealed class InputTextsCache(int capacity = InputTextsCache.DefaultCapacity, long maxWeight = InputTextsCache.DefaultMaxWeight)
{
    public const int DefaultCapacity = 4096;
    public const long DefaultMaxWeight = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, InputTexts> _byRun = new(StringComparer.Ordinal);
    private long _weight;

    public bool TryGet(string runId, out InputTexts texts) => _byRun.TryGetValue(runId, out texts!);

    public InputTexts Remember(string runId, string inputsJson)
    {
        var texts = InputTexts.From(inputsJson);
        if (_byRun.Count >= capacity || Interlocked.Add(ref _weight, texts.Weight) > maxWeight)
        {
            _byRun.Clear();
            Interlocked.Exchange(ref _weight, texts.Weight);
        }

        _byRun[runId] = texts;
        return texts;
    }

    public void Forget(string runId)
    {
        if (_byRun.TryRemove(runId, out var texts))
        {
            Interlocked.Add(ref _weight, -texts.Weight);
        }
    }
}
