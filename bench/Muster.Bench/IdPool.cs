namespace Muster.Bench;

/// <summary>Kickoff ids collected while load runs, for status reads to pick from without locks.</summary>
internal sealed class IdPool(int capacity, string seed)
{
    private readonly string?[] _ids = new string?[capacity];
    private int _count;

    public int Count => Math.Min(Volatile.Read(ref _count), _ids.Length);

    public void Add(string id)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _ids.Length)
        {
            Volatile.Write(ref _ids[index], id);
        }
    }

    /// <summary>A recent-ish id spread over the pool; the seed while the pool is empty or a slot is still being written.</summary>
    public string Pick(long i)
    {
        var count = Count;
        return count == 0 ? seed : Volatile.Read(ref _ids[(int)((i * 7919) % count)]) ?? seed;
    }
}
