using System.Numerics;

namespace Muster.Bench;

/// <summary>
/// A lock-free log-linear latency histogram in microseconds, in the manner of HdrHistogram: exact below 128 µs, then
/// 64 linear sub-buckets per power of two, so every recorded value is known to within 1.6 %.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 64;
    private const int ExactBelow = 2 * SubBuckets;

    // Enough for 2^40 µs (12 days); larger values land in the last bucket.
    private readonly long[] _counts = new long[IndexOf(1L << 40) + 1];
    private long _count;
    private long _max;

    public long Count => Interlocked.Read(ref _count);

    public double MaxMs => Interlocked.Read(ref _max) / 1000.0;

    public void Record(TimeSpan elapsed) => Record((long)elapsed.TotalMicroseconds);

    public void Record(long microseconds)
    {
        var value = Math.Max(0, microseconds);
        Interlocked.Increment(ref _counts[Math.Min(IndexOf(value), _counts.Length - 1)]);
        Interlocked.Increment(ref _count);
        long seen;
        while (value > (seen = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, value, seen) != seen)
        {
        }
    }

    /// <summary>The value at or below which <paramref name="percentile"/> % of recordings fall, in milliseconds.</summary>
    public double PercentileMs(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(total * percentile / 100.0));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(HighestOf(i), Interlocked.Read(ref _max)) / 1000.0;
            }
        }

        return MaxMs;
    }

    internal static int IndexOf(long value)
    {
        if (value < ExactBelow)
        {
            return (int)value;
        }

        var shift = BitOperations.Log2((ulong)value) - 6;
        return (shift * SubBuckets) + (int)(value >> shift);
    }

    /// <summary>The largest value that maps to bucket <paramref name="index"/>.</summary>
    internal static long HighestOf(int index)
    {
        if (index < ExactBelow)
        {
            return index;
        }

        var shift = (index / SubBuckets) - 1;
        var mantissa = index - (shift * SubBuckets);
        return ((long)(mantissa + 1) << shift) - 1;
    }
}
