namespace Muster.Bench;

/// <summary>The garbage collector's share of a phase, beside its latency figures: a pause holds every request in flight.</summary>
internal static class GcFigures
{
    public static void Add(Report report, string scenario, CounterSummary? counters)
    {
        report.Add(new Figure(scenario, "GC pauses, share of the time (dotnet-counters)", (counters?.PauseShare ?? double.NaN) * 100, "%"));
        report.Add(new Figure(scenario, "GC pauses, worst second", (counters?.WorstSecondPause ?? double.NaN) * 1000, "ms"));
        report.Add(new Figure(scenario, "GC pauses, average per collection", counters is { Collections: > 0 } c ? c.PauseSeconds * 1000 / c.Collections : double.NaN, "ms"));
    }
}
