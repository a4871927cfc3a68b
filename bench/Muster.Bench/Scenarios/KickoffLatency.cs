namespace Muster.Bench.Scenarios;

/// <summary>
/// 5. Kickoff latency at a moderate steady rate (100/s, open loop), the runs executing meanwhile (simulator answering at
/// once). Ceiling: the same stream of POSTs against bare Kestrel.
/// </summary>
internal static class KickoffLatency
{
    private const double Rate = 100;

    public static async Task RunAsync(BenchSettings settings, Report report, string workDir)
    {
        await using var cluster = await Cluster.StartAsync(settings, "s5", llmLatencyMs: 0, maxConcurrentRuns: 64, workDir);
        var load = cluster.Load;
        var seed = await cluster.KickoffOneAsync();

        LoadResult roof;
        await using (var ceiling = await Ceiling.StartAsync(workDir, "s5", new Dictionary<string, string> { ["kickoff"] = $$"""{"kickoff_id":"{{seed}}"}""" }))
        {
            await load.OpenLoopAsync("ceiling warm-up", Rate, LoadGenerator.WarmUp, _ => Ceiling.Post(ceiling, "kickoff", Cluster.KickoffJson));
            // As long as Muster's stretch: a p99 of 500 requests is their fifth-worst, and swung from 0.9 to 5 ms.
            roof = await load.OpenLoopAsync("ceiling", Rate, settings.SteadyDuration, _ => Ceiling.Post(ceiling, "kickoff", Cluster.KickoffJson));
        }

        // The same warm-up as the ceiling's (dotnet-counters starts meanwhile), then the measured stretch.
        await using var counters = Counters.TryStart(cluster.Nodes[0], Path.Combine(workDir, "s5"), LoadGenerator.WarmUp + settings.SteadyDuration + TimeSpan.FromSeconds(2));
        await load.OpenLoopAsync("warm-up", Rate, LoadGenerator.WarmUp, cluster.Kickoff);
        var from = DateTime.Now;
        var kickoffs = await load.OpenLoopAsync("kickoff", Rate, settings.SteadyDuration, cluster.Kickoff);
        var gc = counters is null ? null : await counters.ResultAsync(from, DateTime.Now);
        report.Add(new Figure("5", "kickoff at 100/s, p50", kickoffs.Latency.PercentileMs(50), "ms", roof.Latency.PercentileMs(50)));
        report.Add(new Figure("5", "kickoff at 100/s, p99", kickoffs.Latency.PercentileMs(99), "ms", roof.Latency.PercentileMs(99),
            "< 5 ms", kickoffs.Latency.PercentileMs(99) < 5));
        GcFigures.Add(report, "5", gc);
        report.Note("5", $"{kickoffs.Latency.Count:N0} kickoffs in {settings.SteadyDuration.TotalSeconds:0} s, {kickoffs.Failures} failed, " +
            $"max {kickoffs.Latency.MaxMs:0.0} ms, {kickoffs.SendLagSummary} (against the ceiling: {roof.SendLagSummary})");
    }
}
