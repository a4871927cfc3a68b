using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Muster.Server.Caching;

/// <summary>
/// A small in-memory cache of at most <c>capacity</c> entries, each kept for <c>lifetime</c>. Reads take no lock. When it is
/// full, expired entries are dropped, and if it is still full the new entry is simply not kept (the lifetime makes room
/// soon), so it never grows past its bound and never evicts a hot entry for a one-off. A capacity or lifetime of zero turns
/// it off.
/// </summary>
/// <remarks>
/// Every removal advances a generation. A caller reads <see cref="Generation"/> before it reads the store and hands it to
/// <see cref="TryAdd"/>: a value read before a concurrent invalidation is then not kept, so an invalidation can never be
/// undone by a slower reader that started earlier.
/// </remarks>
internal sealed class ExpiringCache<TKey, TValue>(int capacity, TimeSpan lifetime, TimeProvider time)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private readonly Lock _lock = new();
    private long _generation;

    // While the cache is full, no entry expires before this, so a full cache is not scanned again on every miss (entries
    // added later share the lifetime and expire later still).
    private DateTimeOffset _noneExpiresBefore;

    public bool Enabled => capacity > 0 && lifetime > TimeSpan.Zero;

    /// <summary>Advances on every removal; read it before reading what <see cref="TryAdd"/> will store.</summary>
    public long Generation => Volatile.Read(ref _generation);

    public int Count => _entries.Count;

    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > time.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/> unless the cache is off or full, or something was removed since <paramref name="generation"/>.</summary>
    public void TryAdd(TKey key, TValue value, long generation)
    {
        if (!Enabled)
        {
            return;
        }

        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_generation != generation)
            {
                return;
            }

            if (_entries.Count >= capacity && !_entries.ContainsKey(key))
            {
                if (now < _noneExpiresBefore)
                {
                    return;
                }

                var earliest = DateTimeOffset.MaxValue;
                foreach (var (staleKey, stale) in _entries)
                {
                    if (stale.ExpiresAt <= now)
                    {
                        _entries.TryRemove(staleKey, out _);
                    }
                    else if (stale.ExpiresAt < earliest)
                    {
                        earliest = stale.ExpiresAt;
                    }
                }

                _noneExpiresBefore = earliest;
                if (_entries.Count >= capacity)
                {
                    return;
                }
            }

            _entries[key] = new Entry(value, now + lifetime);
        }
    }

    public void Remove(TKey key)
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _generation);
            _entries.TryRemove(key, out _);
        }
    }

    /// <summary>Removes every entry whose value matches (a scan: for rare invalidations by something other than the key).</summary>
    public void RemoveWhere(Func<TValue, bool> match)
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _generation);
            foreach (var (key, entry) in _entries)
            {
                if (match(entry.Value))
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _generation);
            _entries.Clear();
        }
    }

    private sealed record Entry(TValue Value, DateTimeOffset ExpiresAt);
}
