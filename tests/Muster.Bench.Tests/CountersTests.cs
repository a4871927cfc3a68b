namespace Muster.Bench.Tests;

/// <summary>The CSV files dotnet-counters 10 writes (<c>collect --format csv</c>), summed up as the scenarios use them.</summary>
public sealed class CountersTests
{
    // Five seconds of `--counters System.Runtime[dotnet.gc.pause.time,dotnet.gc.collections]` on a server under load:
    // the meters report each second's increase, the collections one line per generation (the tag in the name).
    private const string GcCsv = """
        Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
        12/01/2026 17:30:11,System.Runtime,dotnet.gc.pause.time (s / 1 sec),Rate,0
        12/01/2026 17:30:11,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1],Rate,0
        12/01/2026 17:30:11,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2],Rate,0
        12/01/2026 17:30:11,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0],Rate,0
        12/01/2026 17:30:12,System.Runtime,dotnet.gc.pause.time (s / 1 sec),Rate,0.017716
        12/01/2026 17:30:12,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1],Rate,0
        12/01/2026 17:30:12,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2],Rate,0
        12/01/2026 17:30:12,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0],Rate,1
        12/01/2026 17:30:13,System.Runtime,dotnet.gc.pause.time (s / 1 sec),Rate,0.065101
        12/01/2026 17:30:13,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1],Rate,0
        12/01/2026 17:30:13,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2],Rate,1
        12/01/2026 17:30:13,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0],Rate,2
        12/01/2026 17:30:14,System.Runtime,dotnet.gc.pause.time (s / 1 sec),Rate,0.11668299999999998
        12/01/2026 17:30:14,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1],Rate,1
        12/01/2026 17:30:14,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2],Rate,1
        12/01/2026 17:30:14,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0],Rate,1
        12/01/2026 17:30:15,System.Runtime,dotnet.gc.pause.time (s / 1 sec),Rate,0.06643400000000002
        12/01/2026 17:30:15,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1],Rate,0
        12/01/2026 17:30:15,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2],Rate,0
        12/01/2026 17:30:15,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0],Rate,1
        """;

    // `--counters EventCounters\System.Runtime[threadpool-queue-length,threadpool-thread-count]` on an idle process.
    private const string ThreadPoolCsv = """
        Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
        12/01/2026 14:21:13,System.Runtime,ThreadPool Thread Count,Metric,2
        12/01/2026 14:21:13,System.Runtime,ThreadPool Queue Length,Metric,0
        12/01/2026 14:21:14,System.Runtime,ThreadPool Thread Count,Metric,2
        12/01/2026 14:21:14,System.Runtime,ThreadPool Queue Length,Metric,0
        12/01/2026 14:21:15,System.Runtime,ThreadPool Thread Count,Metric,2
        12/01/2026 14:21:15,System.Runtime,ThreadPool Queue Length,Metric,0
        12/01/2026 14:21:16,System.Runtime,ThreadPool Thread Count,Metric,2
        12/01/2026 14:21:16,System.Runtime,ThreadPool Queue Length,Metric,0
        """;

    // Three seconds of the same session with the heap meters too (`dotnet.gc.heap.total_allocated`, a rate, and
    // `dotnet.gc.last_collection.heap.size`, a value per generation), as dotnet-counters 10 wrote them for a server; the
    // first second has no rates yet. Values changed from the second on, so that the sums and peaks tell the lines apart.
    private const string HeapCsv = """
        Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
        12/05/2026 12:15:57,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen2],Metric,1203048
        12/05/2026 12:15:57,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=loh],Metric,98384
        12/05/2026 12:15:57,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=poh],Metric,25576
        12/05/2026 12:15:57,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen0],Metric,560
        12/05/2026 12:15:57,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen1],Metric,775400
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.heap.total_allocated (By / 1 sec),Rate,40768
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.pause.time (s / 1 sec),Rate,0
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen2],Metric,9000000
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=loh],Metric,98384
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=poh],Metric,25576
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen0],Metric,560
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen1],Metric,4000000
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2],Rate,0
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0],Rate,1
        12/05/2026 12:15:58,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1],Rate,0
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.heap.total_allocated (By / 1 sec),Rate,5000000
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.pause.time (s / 1 sec),Rate,0.012
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen2],Metric,7000000
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=loh],Metric,200000
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=poh],Metric,25576
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen0],Metric,560
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen1],Metric,9000000
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2],Rate,0
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0],Rate,2
        12/05/2026 12:15:59,System.Runtime,dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1],Rate,1
        """;

    private static readonly DateTime Second14 = new(2026, 12, 1, 17, 30, 14);
    private static readonly DateTime Heap57 = new(2026, 12, 5, 12, 15, 57);

    [Fact]
    public void ParseSamples_ReadsEveryLine_ButTheHeader()
    {
        var samples = Counters.ParseSamples(Lines(GcCsv));

        samples.Count.ShouldBe(20);
        samples[0].ShouldBe(new Counters.Sample(new DateTime(2026, 12, 1, 17, 30, 11), "dotnet.gc.pause.time (s / 1 sec)", 0));
        samples[1].Counter.ShouldBe("dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1]");
        samples[12].ShouldBe(new Counters.Sample(Second14, "dotnet.gc.pause.time (s / 1 sec)", 0.11668299999999998));
    }

    [Fact]
    public void ParseSamples_SkipsLinesThatAreNoSample()
    {
        string[] lines =
        [
            "Timestamp,Provider,Counter Name,Counter Type,Mean/Increment",
            "",
            "12/01/2026 14:21:13,System.Runtime,ThreadPool Thread Count,Metric",
            "not a time,System.Runtime,ThreadPool Thread Count,Metric,2",
            "12/01/2026 14:21:13,System.Runtime,ThreadPool Thread Count,Metric,n/a",
            "12/01/2026 14:21:13,System.Runtime,ThreadPool Thread Count,Metric,2",
        ];

        Counters.ParseSamples(lines).ShouldHaveSingleItem().Value.ShouldBe(2);
    }

    [Fact]
    public void Summarize_GivesThePauseShare_TheWorstSecond_AndCollectionsOfEveryGeneration()
    {
        var summary = Counters.Summarize(Counters.ParseSamples(Lines(ThreadPoolCsv)), Counters.ParseSamples(Lines(GcCsv)), null, null);

        summary.Seconds.ShouldBe(5);
        summary.PauseSeconds.ShouldBe(0.017716 + 0.065101 + 0.11668299999999998 + 0.06643400000000002, 1e-12);
        summary.PauseShare.ShouldBe(0.265934 / 5, 1e-12);
        summary.WorstSecondPause.ShouldBe(0.11668299999999998);
        // gen0 1+2+1+1, gen1 1, gen2 1+1.
        summary.Collections.ShouldBe(8);
        summary.PeakQueue.ShouldBe(0);
        summary.PeakThreads.ShouldBe(2);
    }

    [Fact]
    public void Summarize_TakesThePeakOfTheThreadPoolCounters()
    {
        // The real lines above (thread count, queue length, each second) with their values changed.
        double[] values = [2, 0, 9, 12, 4, 5, 3, 0];
        var threadPool = Counters.ParseSamples(Lines(ThreadPoolCsv)).Select((s, i) => s with { Value = values[i] }).ToList();

        var summary = Counters.Summarize(threadPool, [], null, null);

        summary.PeakThreads.ShouldBe(9);
        summary.PeakQueue.ShouldBe(12);
    }

    [Fact]
    public void Summarize_KeepsTheSamplesWithinASecondOfTheWindow()
    {
        var gc = Counters.ParseSamples(Lines(GcCsv));

        var middle = Counters.Summarize([], gc, Second14, Second14);
        middle.Seconds.ShouldBe(3);
        middle.PauseSeconds.ShouldBe(0.065101 + 0.11668299999999998 + 0.06643400000000002, 1e-12);
        middle.Collections.ShouldBe(3 + 3 + 1);

        var fromOnly = Counters.Summarize([], gc, Second14.AddSeconds(1), null);
        fromOnly.Seconds.ShouldBe(2);
        fromOnly.Collections.ShouldBe(3 + 1);

        var toOnly = Counters.Summarize([], gc, null, Second14.AddSeconds(-2));
        toOnly.Seconds.ShouldBe(3);
        toOnly.WorstSecondPause.ShouldBe(0.065101);
        toOnly.Collections.ShouldBe(0 + 1 + 3);
    }

    [Fact]
    public void Summarize_AppliesTheWindowToTheThreadPoolSamplesToo()
    {
        // The thread-pool file was written at 14:21, hours before this window.
        var summary = Counters.Summarize(Counters.ParseSamples(Lines(ThreadPoolCsv)), Counters.ParseSamples(Lines(GcCsv)), Second14, Second14);

        double.IsNaN(summary.PeakQueue).ShouldBeTrue();
        double.IsNaN(summary.PeakThreads).ShouldBeTrue();
        summary.Seconds.ShouldBe(3);
    }

    [Fact]
    public void Summarize_WithoutSamples_IsNaN()
    {
        var summary = Counters.Summarize([], [], null, null);

        summary.Seconds.ShouldBe(0);
        double.IsNaN(summary.PauseSeconds).ShouldBeTrue();
        double.IsNaN(summary.PauseShare).ShouldBeTrue();
        double.IsNaN(summary.WorstSecondPause).ShouldBeTrue();
        double.IsNaN(summary.Collections).ShouldBeTrue();
        double.IsNaN(summary.PeakQueue).ShouldBeTrue();
        double.IsNaN(summary.PeakThreads).ShouldBeTrue();
    }

    [Fact]
    public void Summarize_SumsTheBytesAllocated_AndKeepsTheHeapMetersOutOfThePausesAndCollections()
    {
        var summary = Counters.Summarize([], Counters.ParseSamples(Lines(HeapCsv)), null, null);

        summary.AllocatedBytes.ShouldBe(40768 + 5000000);
        summary.Seconds.ShouldBe(2);
        summary.PauseSeconds.ShouldBe(0.012, 1e-12);
        summary.Collections.ShouldBe(4);
        summary.LastSample.ShouldBe(Heap57.AddSeconds(2));
    }

    [Fact]
    public void Summarize_GivesTheHeapAtTheStart_AndThePeakOfTheWholeHeap_Gen2_AndTheLargeObjectHeap()
    {
        var summary = Counters.Summarize([], Counters.ParseSamples(Lines(HeapCsv)), null, null);

        summary.HeapAtStart.ShouldBe(new HeapSizes(1203048 + 98384 + 25576 + 560 + 775400, 1203048, 98384));
        // The whole heap peaks in the last second, gen2 in the one before: each is its own peak.
        summary.PeakHeap.ShouldBe(new HeapSizes(7000000 + 200000 + 25576 + 560 + 9000000, 9000000, 200000));
    }

    [Fact]
    public void Summarize_TakesTheHeapAtTheStart_FromTheWindowsFirstSecond()
    {
        var summary = Counters.Summarize([], Counters.ParseSamples(Lines(HeapCsv)), Heap57.AddSeconds(2), null);

        summary.HeapAtStart.Total.ShouldBe(9000000 + 98384 + 25576 + 560 + 4000000);
        summary.AllocatedBytes.ShouldBe(40768 + 5000000);
    }

    [Fact]
    public void Summarize_WithoutHeapMeters_LeavesTheirFiguresNaN()
    {
        var summary = Counters.Summarize([], Counters.ParseSamples(Lines(GcCsv)), null, null);

        double.IsNaN(summary.AllocatedBytes).ShouldBeTrue();
        summary.HeapAtStart.ShouldBe(HeapSizes.None);
        summary.PeakHeap.ShouldBe(HeapSizes.None);
    }

    [Theory]
    [InlineData("collect", "'collect'")]
    [InlineData(@"EventCounters\System.Runtime[a,b]", @"'EventCounters\System.Runtime[a,b]'")]
    [InlineData("it's", @"'it'\''s'")]
    [InlineData("", "''")]
    public void ShellQuote_MakesOneShellWord(string argument, string quoted) => Counters.ShellQuote(argument).ShouldBe(quoted);

    private static string[] Lines(string csv) => csv.Split('\n');
}
