namespace Muster.Bench;

/// <summary>
/// The garbage collector's share of a phase, beside its latency figures (a pause holds every request in flight), and
/// what the work allocates and keeps alive (what the collector has to copy in each pause).
/// </summary>
internal static class GcFigures
{
    private const double MiB = 1024 * 1024;
    private const double KiB = 1024;

    public static void Add(Report report, string scenario, CounterSummary? counters)
    {
        report.Add(new Figure(scenario, "GC pauses, share of the time (dotnet-counters)", (counters?.PauseShare ?? double.NaN) * 100, "%"));
        report.Add(new Figure(scenario, "GC pauses, worst second", (counters?.WorstSecondPause ?? double.NaN) * 1000, "ms"));
        report.Add(new Figure(scenario, "GC pauses, average per collection", counters is { Collections: > 0 } c ? c.PauseSeconds * 1000 / c.Collections : double.NaN, "ms"));
    }

    /// <summary>
    /// The bytes the server allocated per task over a window that ends when the last of <paramref name="tasks"/> finished
    /// (<paramref name="until"/>); n/a when the samples stop before it.
    /// </summary>
    public static void AddAllocation(Report report, string scenario, CounterSummary? window, DateTime until, double tasks) =>
        report.Add(new Figure(scenario, "server bytes allocated per task (dotnet-counters)", AllocatedPerTask(window, until, tasks) / KiB, "KiB"));

    /// <summary>
    /// The managed heap after collections: its peak in the window, of all generations, gen2 and the large-object heap, and,
    /// given the runs in flight at once, what each kept alive: the peak's growth over the heap before the load, per run.
    /// </summary>
    public static void AddHeap(Report report, string scenario, CounterSummary? counters, int? runsInFlight = null)
    {
        var start = counters?.HeapAtStart ?? HeapSizes.None;
        var peak = counters?.PeakHeap ?? HeapSizes.None;
        if (runsInFlight is not null)
        {
            report.Add(new Figure(scenario, "managed heap after a collection, before the load", start.Total / MiB, "MiB"));
        }

        report.Add(new Figure(scenario, "managed heap after a collection, peak", peak.Total / MiB, "MiB"));
        report.Add(new Figure(scenario, "gen2 after a collection, peak", peak.Gen2 / MiB, "MiB"));
        report.Add(new Figure(scenario, "large-object heap after a collection, peak", peak.Loh / MiB, "MiB"));
        if (runsInFlight is { } inFlight)
        {
            report.Add(new Figure(scenario, "heap per run in flight ((peak − before) / runs)", HeapPerRun(start, peak, inFlight) / KiB, "KiB"));
        }
    }

    // The tool stamps its samples to the second: one stamped in the second the stretch ended in was taken at its end or later.
    internal static double AllocatedPerTask(CounterSummary? window, DateTime until, double tasks) =>
        window is { LastSample: { } last } && last >= until.AddTicks(-(until.Ticks % TimeSpan.TicksPerSecond)) && tasks > 0
            ? window.AllocatedBytes / tasks
            : double.NaN;

    internal static double HeapPerRun(HeapSizes before, HeapSizes peak, int runs) => runs > 0 ? (peak.Total - before.Total) / runs : double.NaN;
}
