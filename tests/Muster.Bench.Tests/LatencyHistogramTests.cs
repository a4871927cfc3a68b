namespace Muster.Bench.Tests;

public sealed class LatencyHistogramTests
{
    // What the histogram promises: every value is known to within one part in 64 (1.6 %).
    private const double Precision = 1.0 / 64;

    [Fact]
    public void ValuesBelow128Microseconds_HaveABucketEach()
    {
        for (var value = 0L; value < 128; value++)
        {
            LatencyHistogram.IndexOf(value).ShouldBe((int)value);
            LatencyHistogram.HighestOf((int)value).ShouldBe(value);
        }
    }

    [Fact]
    public void ValuesBelow128Microseconds_ComeBackExactly()
    {
        var histogram = new LatencyHistogram();
        for (var value = 0L; value < 128; value++)
        {
            histogram.Record(value);
        }

        // 128 values 0..127: rank r holds the value r - 1.
        histogram.PercentileMs(0).ShouldBe(0);
        histogram.PercentileMs(25).ShouldBe(31 / 1000.0);
        histogram.PercentileMs(50).ShouldBe(63 / 1000.0);
        histogram.PercentileMs(75).ShouldBe(95 / 1000.0);
        histogram.PercentileMs(100).ShouldBe(127 / 1000.0);
    }

    [Theory]
    [InlineData(95, 10)]
    [InlineData(90, 9)]
    [InlineData(89.9, 9)]
    [InlineData(50, 5)]
    [InlineData(41, 5)]
    [InlineData(1, 1)]
    [InlineData(0, 1)]
    public void Percentile_IsTheValueAtRankCeilingOfNTimesP_AtLeastTheFirst(double percentile, long expected)
    {
        var histogram = new LatencyHistogram();
        for (var value = 10L; value >= 1; value--)
        {
            histogram.Record(value);
        }

        histogram.PercentileMs(percentile).ShouldBe(expected / 1000.0);
    }

    public static TheoryData<long> EdgeValues()
    {
        var values = new TheoryData<long>();
        foreach (var value in PowerOfTwoEdges())
        {
            values.Add(value);
        }

        return values;
    }

    [Theory]
    [MemberData(nameof(EdgeValues))]
    public void EdgeValue_FallsInABucketWhoseTopIsAtMostOneSixtyFourthAbove(long value) => AssertBucketHolds(value);

    [Fact]
    public void RandomValues_FallInABucketWhoseTopIsAtMostOneSixtyFourthAbove()
    {
        var random = new Random(20_260_101);
        for (var i = 0; i < 200_000; i++)
        {
            // Spread evenly over the magnitudes up to 2^40 µs, so every power of two gets its share.
            AssertBucketHolds((long)Math.Exp(random.NextDouble() * 40 * Math.Log(2)));
        }
    }

    [Fact]
    public void IndexOf_NeverDecreases_AndSkipsNoBucket()
    {
        // Every value up to 2^20 µs (a second), then every value around each later power of two.
        var starts = new[] { 0L }.Concat(Enumerable.Range(21, 20).Select(k => (1L << k) - 300));
        foreach (var start in starts)
        {
            var end = start == 0 ? 1L << 20 : start + 600;
            var previous = LatencyHistogram.IndexOf(start);
            for (var value = start + 1; value <= end; value++)
            {
                var index = LatencyHistogram.IndexOf(value);
                (index - previous).ShouldBeInRange(0, 1, $"IndexOf({value}) after IndexOf({value - 1})");
                previous = index;
            }
        }
    }

    [Fact]
    public void IndexOf_OfRandomPairs_KeepsTheirOrder()
    {
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var a = random.NextInt64(1L << 40);
            var b = random.NextInt64(1L << 40);
            var (low, high) = a <= b ? (a, b) : (b, a);
            LatencyHistogram.IndexOf(low).ShouldBeLessThanOrEqualTo(LatencyHistogram.IndexOf(high));
        }
    }

    [Fact]
    public void Percentiles_OfALogNormalSample_MatchTheSortedSampleWithin1Point6Percent()
    {
        var random = new Random(42);
        // An odd size, so that most ranks n * p / 100 are not whole numbers and their rounding counts.
        var sample = new long[99_991];
        var histogram = new LatencyHistogram();
        for (var i = 0; i < sample.Length; i++)
        {
            // Latency-like: a median of 2 ms and a long right tail (Box–Muller normal, sigma 1).
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            sample[i] = (long)Math.Exp(Math.Log(2_000) + normal);
            histogram.Record(sample[i]);
        }

        Array.Sort(sample);
        foreach (var percentile in new[] { 0, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100 })
        {
            // The same rank as the histogram's: the smallest value with at least p % of the sample at or below it.
            var rank = Math.Max(1, (long)Math.Ceiling(sample.Length * percentile / 100.0));
            var exactMs = sample[rank - 1] / 1000.0;
            var ms = histogram.PercentileMs(percentile);
            ms.ShouldBeGreaterThanOrEqualTo(exactMs - 1e-9, $"p{percentile}");
            (ms - exactMs).ShouldBeLessThanOrEqualTo(exactMs * 0.016, $"p{percentile}: {ms} ms against {exactMs} ms");
        }

        histogram.PercentileMs(100).ShouldBe(sample[^1] / 1000.0);
        histogram.MaxMs.ShouldBe(sample[^1] / 1000.0);
        histogram.Count.ShouldBe(sample.Length);
    }

    [Fact]
    public void Empty_HasNoPercentiles()
    {
        var histogram = new LatencyHistogram();

        histogram.Count.ShouldBe(0);
        double.IsNaN(histogram.PercentileMs(50)).ShouldBeTrue();
        double.IsNaN(histogram.PercentileMs(100)).ShouldBeTrue();
    }

    [Fact]
    public void SingleValue_IsEveryPercentileExactly_SinceTheMaxClampsTheBucketTop()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_003);

        LatencyHistogram.HighestOf(LatencyHistogram.IndexOf(1_000_003)).ShouldBeGreaterThan(1_000_003);
        foreach (var percentile in new[] { 0, 50, 99, 100 })
        {
            histogram.PercentileMs(percentile).ShouldBe(1_000_003 / 1000.0);
        }

        histogram.MaxMs.ShouldBe(1_000_003 / 1000.0);
    }

    [Fact]
    public void RecordTimeSpan_CountsWholeMicroseconds_AndNegativeAsZero()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(2.5));
        histogram.Record(TimeSpan.FromMilliseconds(-3));

        histogram.Count.ShouldBe(2);
        histogram.PercentileMs(50).ShouldBe(0);
        histogram.PercentileMs(100).ShouldBe(2.5);
    }

    [Fact]
    public void LargestValue_2Pow40_IsKept()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1L << 40);

        histogram.PercentileMs(50).ShouldBe((1L << 40) / 1000.0);
    }

    [Fact]
    public void ConcurrentRecords_FromSeveralThreads_AreAllCounted()
    {
        const int Threads = 8;
        const int PerThread = 50_000;
        var values = Enumerable.Range(0, Threads)
            .Select(t =>
            {
                var random = new Random(t);
                return Enumerable.Range(0, PerThread).Select(_ => random.NextInt64(1, 10_000_000)).ToArray();
            })
            .ToArray();
        var shared = new LatencyHistogram();
        var alone = new LatencyHistogram();
        foreach (var value in values.SelectMany(v => v))
        {
            alone.Record(value);
        }

        using var start = new Barrier(Threads);
        var threads = values.Select(mine => new Thread(() =>
        {
            start.SignalAndWait();
            foreach (var value in mine)
            {
                shared.Record(value);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        shared.Count.ShouldBe(Threads * PerThread);
        shared.MaxMs.ShouldBe(values.SelectMany(v => v).Max() / 1000.0);
        // Every bucket's count made it: the distribution is the one recorded on one thread.
        foreach (var percentile in new[] { 1, 10, 25, 50, 75, 90, 99, 99.9, 99.999 })
        {
            shared.PercentileMs(percentile).ShouldBe(alone.PercentileMs(percentile), $"p{percentile}");
        }
    }

    private static IEnumerable<long> PowerOfTwoEdges() =>
        Enumerable.Range(0, 41)
            .SelectMany(k => new[] { (1L << k) - 1, 1L << k, (1L << k) + 1 })
            .Where(v => v <= 1L << 40)
            .Distinct();

    private static void AssertBucketHolds(long value)
    {
        var index = LatencyHistogram.IndexOf(value);
        var top = LatencyHistogram.HighestOf(index);
        top.ShouldBeGreaterThanOrEqualTo(value, $"top of bucket {index}");
        ((double)(top - value)).ShouldBeLessThanOrEqualTo(value * Precision, $"value {value} in bucket {index} topping at {top}");
        // The value is in this bucket and not a higher one: the bucket below tops out under it.
        if (index > 0)
        {
            LatencyHistogram.HighestOf(index - 1).ShouldBeLessThan(value, $"top of bucket {index - 1}");
        }

        LatencyHistogram.IndexOf(top).ShouldBe(index);
    }
}
