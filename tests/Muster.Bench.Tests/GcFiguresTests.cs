namespace Muster.Bench.Tests;

/// <summary>What a scenario reports of the allocations and heap dotnet-counters saw.</summary>
public sealed class GcFiguresTests
{
    private static readonly DateTime End = new(2026, 12, 5, 12, 0, 10);

    [Fact]
    public void AllocatedPerTask_IsTheWindowsBytesOverTheTasks()
    {
        var window = Summary(allocated: 3_000_000, lastSample: End.AddSeconds(1));

        GcFigures.AllocatedPerTask(window, End, tasks: 1_500).ShouldBe(2_000);
    }

    [Fact]
    public void AllocatedPerTask_TakesASampleStampedInTheSecondTheTasksFinished()
    {
        // The tool's timestamps have no fraction: 12:00:10 is any time in that second.
        var window = Summary(allocated: 3_000_000, lastSample: End);

        GcFigures.AllocatedPerTask(window, End.AddMilliseconds(600), tasks: 1_500).ShouldBe(2_000);
        double.IsNaN(GcFigures.AllocatedPerTask(window, End.AddSeconds(1), tasks: 1_500)).ShouldBeTrue();
    }

    [Fact]
    public void AllocatedPerTask_IsNaN_WhenTheSamplesStopBeforeTheTasksFinished()
    {
        // The tool's duration ran out first: the last tasks' allocations are not in the sum.
        var window = Summary(allocated: 3_000_000, lastSample: End.AddSeconds(-3));

        double.IsNaN(GcFigures.AllocatedPerTask(window, End, tasks: 1_500)).ShouldBeTrue();
        double.IsNaN(GcFigures.AllocatedPerTask(null, End, tasks: 1_500)).ShouldBeTrue();
        double.IsNaN(GcFigures.AllocatedPerTask(Summary(3_000_000, End), End, tasks: 0)).ShouldBeTrue();
    }

    [Fact]
    public void HeapPerRun_IsThePeaksGrowthOverTheHeapBefore_PerRun()
    {
        var before = new HeapSizes(50_000_000, 30_000_000, 1_000_000);
        var peak = new HeapSizes(250_000_000, 200_000_000, 2_000_000);

        GcFigures.HeapPerRun(before, peak, runs: 10_000).ShouldBe(20_000);
        double.IsNaN(GcFigures.HeapPerRun(HeapSizes.None, peak, runs: 10_000)).ShouldBeTrue();
    }

    [Fact]
    public void AddHeap_ReportsTheHeapInMiB_AndPerRunInKiB()
    {
        var report = new Report();
        var counters = Summary(double.NaN, End) with
        {
            HeapAtStart = new HeapSizes(100 * 1024 * 1024, 60 * 1024 * 1024, 1024 * 1024),
            PeakHeap = new HeapSizes(300 * 1024 * 1024, 250 * 1024 * 1024, 3 * 1024 * 1024),
        };

        GcFigures.AddHeap(report, "3", counters, runsInFlight: 1024);

        var markdown = report.ToMarkdown("run");
        markdown.ShouldContain("| 3 | managed heap after a collection, before the load | 100 MiB |", Case.Sensitive);
        markdown.ShouldContain("| 3 | managed heap after a collection, peak | 300 MiB |", Case.Sensitive);
        markdown.ShouldContain("| 3 | gen2 after a collection, peak | 250 MiB |", Case.Sensitive);
        markdown.ShouldContain("| 3 | large-object heap after a collection, peak | 3.00 MiB |", Case.Sensitive);
        markdown.ShouldContain("| 3 | heap per run in flight ((peak − before) / runs) | 200 KiB |", Case.Sensitive);
    }

    [Fact]
    public void AddHeap_WithoutRunsInFlight_ReportsThePeaksOnly()
    {
        var report = new Report();

        GcFigures.AddHeap(report, "4", null);

        var markdown = report.ToMarkdown("run");
        markdown.ShouldContain("| 4 | managed heap after a collection, peak | n/a MiB |", Case.Sensitive);
        markdown.ShouldNotContain("before the load", Case.Sensitive);
        markdown.ShouldNotContain("per run in flight", Case.Sensitive);
    }

    private static CounterSummary Summary(double allocated, DateTime lastSample) =>
        new(double.NaN, double.NaN, 0, 0, 0, 10) { AllocatedBytes = allocated, LastSample = lastSample };
}
