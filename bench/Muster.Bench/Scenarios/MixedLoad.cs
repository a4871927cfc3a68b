using System.Diagnostics;

namespace Muster.Bench.Scenarios;

/// <summary>
/// 4. LangGraph's sizing point: 500 status reads/s plus 500 kickoffs/s, open loop, for 60 s (5 s in quick mode) while
/// the runs execute (1 s per LLM call); then every run must finish. Ceiling: the same two streams against bare Kestrel.
/// </summary>
internal static class MixedLoad
{
    private const int LlmLatencyMs = 1000;
    private const double Rate = 500;
    private const double WarmUpKickoffRate = 100;

    public static async Task RunAsync(BenchSettings settings, Report report, string workDir)
    {
        var duration = settings.MixedDuration;
        var expected = (int)(Rate * duration.TotalSeconds);
        await using var cluster = await Cluster.StartAsync(settings, "s4", LlmLatencyMs, maxConcurrentRuns: 20_000, workDir);
        var load = cluster.Load;

        var (seed, seedBody) = await cluster.FinishOneAsync();

        (LoadResult Reads, LoadResult Kickoffs) roof;
        await using (var ceiling = await Ceiling.StartAsync(workDir, "s4", new Dictionary<string, string>
        {
            ["status"] = seedBody,
            ["kickoff"] = $$"""{"kickoff_id":"{{seed}}"}""",
        }))
        {
            var ceilingDuration = TimeSpan.FromSeconds(Math.Min(duration.TotalSeconds, 5));
            // Both sides get the same warm-up (connections opened, code jitted) before their measured stretch.
            await Task.WhenAll(
                load.OpenLoopAsync("ceiling warm-up reads", Rate, LoadGenerator.WarmUp, _ => Ceiling.Get(ceiling, "status")),
                load.OpenLoopAsync("ceiling warm-up kickoffs", WarmUpKickoffRate, LoadGenerator.WarmUp, _ => Ceiling.Post(ceiling, "kickoff", Cluster.KickoffJson)));
            var reads = load.OpenLoopAsync("ceiling reads", Rate, ceilingDuration, _ => Ceiling.Get(ceiling, "status"));
            var kicks = load.OpenLoopAsync("ceiling kickoffs", Rate, ceilingDuration, _ => Ceiling.Post(ceiling, "kickoff", Cluster.KickoffJson));
            roof = (await reads, await kicks);
        }

        // The warm-up's runs finish before the measured stretch starts, and are counted out of it. dotnet-counters (on the
        // first node) starts meanwhile; only its samples of the measured stretch count.
        await using var counters = Counters.TryStart(cluster.Nodes[0], Path.Combine(workDir, "s4"), duration + TimeSpan.FromMinutes(6));
        await Task.WhenAll(
            load.OpenLoopAsync("warm-up reads", Rate, LoadGenerator.WarmUp, i => cluster.Status(i, seed)),
            load.OpenLoopAsync("warm-up kickoffs", WarmUpKickoffRate, LoadGenerator.WarmUp, cluster.Kickoff));
        await cluster.WaitAllFinishedAsync(Stopwatch.StartNew(), TimeSpan.FromMinutes(1));
        var before = await cluster.CountAsync("completed", int.MaxValue);

        var ids = new IdPool(expected, seed);
        var from = DateTime.Now;
        var clock = Stopwatch.StartNew();
        var statusTask = load.OpenLoopAsync("status", Rate, duration, i => cluster.Status(i, ids.Pick(i)));
        var kickoffTask = load.OpenLoopAsync("kickoff", Rate, duration, cluster.Kickoff, (_, body) => ids.Add(Cluster.KickoffId(body)));
        var status = await statusTask;
        var kickoffs = await kickoffTask;
        var loadEnded = clock.Elapsed;
        var to = DateTime.Now;
        var drained = await cluster.WaitAllFinishedAsync(clock, TimeSpan.FromMinutes(5));
        var completed = await cluster.CountAsync("completed", int.MaxValue) - before;
        var failed = await cluster.CountAsync("failed", int.MaxValue);
        CounterSummary? gc = null;
        if (counters is not null)
        {
            await counters.StopAsync();
            gc = await counters.ResultAsync(from, to);
        }

        foreach (var (muster, ceiling, what) in new[] { (status, roof.Reads, "status reads"), (kickoffs, roof.Kickoffs, "kickoffs") })
        {
            report.Add(new Figure("4", $"{what} at 500/s, p50", muster.Latency.PercentileMs(50), "ms", ceiling.Latency.PercentileMs(50)));
            report.Add(new Figure("4", $"{what} at 500/s, p99", muster.Latency.PercentileMs(99), "ms", ceiling.Latency.PercentileMs(99),
                "< 50 ms", muster.Latency.PercentileMs(99) < 50));
        }

        Report.Detail("4", $"status reads by second (count/p99 ms): {status.Timeline()}");
        Report.Detail("4", $"kickoffs by second (count/p99 ms): {kickoffs.Timeline()}");
        GcFigures.Add(report, "4", gc);
        GcFigures.AddHeap(report, "4", gc);
        var dropped = status.Failures + kickoffs.Failures + (expected - completed);
        report.Add(new Figure("4", "requests failed + runs not completed", dropped, "", null, "0", dropped == 0));
        report.Note("4", $"{duration.TotalSeconds:0} s: {status.Latency.Count:N0} reads (max {status.Latency.MaxMs:0.0} ms, {status.Failures} failed), " +
            $"{kickoffs.Latency.Count:N0} kickoffs (max {kickoffs.Latency.MaxMs:0.0} ms, {kickoffs.Failures} failed); {completed:N0} of {expected:N0} runs completed, " +
            $"{failed} failed, the last {(drained - loadEnded).TotalSeconds:0.0} s after the load stopped (floor 3 s); " +
            $"reads: {status.SendLagSummary}; kickoffs: {kickoffs.SendLagSummary}");
        if ((status.FirstFailure ?? kickoffs.FirstFailure) is { } why)
        {
            report.Note("4", $"first failure: {why}");
        }
    }
}
