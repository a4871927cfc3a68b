using System.Diagnostics;

namespace Muster.Bench.Scenarios;

/// <summary>
/// 3. 10,000 runs at once (2,000 in quick mode), every LLM call taking 2 s: all complete; peak RSS; status p99 while
/// they run (an open-loop reader at a fixed rate); thread-pool queue and threads.
/// </summary>
internal static class ManyInFlight
{
    private const int LlmLatencyMs = 2000;
    private const double StatusRate = 200;

    public static async Task RunAsync(BenchSettings settings, Report report, string workDir)
    {
        var runs = settings.InFlightRuns;
        await using var cluster = await Cluster.StartAsync(settings, "s3", LlmLatencyMs, maxConcurrentRuns: runs * 2, workDir);
        var load = cluster.Load;
        var server = cluster.Nodes[0];

        var (seed, seedBody) = await cluster.FinishOneAsync();
        var before = await cluster.CountAsync("completed", int.MaxValue);
        var idleRss = server.Memory().Rss;

        // Ceiling: the same open-loop reader against bare Kestrel serving the same body.
        double ceilingP99;
        await using (var ceiling = await Ceiling.StartAsync(workDir, "s3", new Dictionary<string, string> { ["status"] = seedBody }))
        {
            // Both sides get the same warm-up (connections opened, code jitted) before their measured stretch.
            await load.OpenLoopAsync("ceiling warm-up", StatusRate, LoadGenerator.WarmUp, _ => Ceiling.Get(ceiling, "status"));
            var roof = await load.OpenLoopAsync("ceiling", StatusRate, TimeSpan.FromSeconds(3), _ => Ceiling.Get(ceiling, "status"));
            ceilingP99 = roof.Latency.PercentileMs(99);
        }

        // The busiest stretch: every kickoff arriving while the first LLM calls are out. dotnet-counters starts during
        // the warm-up; only its samples from the measured stretch count, and it stops once every run has finished.
        await using var counters = Counters.TryStart(server, Path.Combine(workDir, "s3"), LoadGenerator.WarmUp + TimeSpan.FromMinutes(6));
        await load.OpenLoopAsync("warm-up", StatusRate, LoadGenerator.WarmUp, i => cluster.Status(i, seed));
        var from = DateTime.Now;
        var ids = new IdPool(runs, seed);
        await using var sampler = new Sampler(server);
        using var stopReading = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var reading = load.OpenLoopAsync("status", StatusRate, TimeSpan.FromHours(1), i => cluster.Status(i, ids.Pick(i)), stop: stopReading.Token);
        var kickoffs = await load.ClosedLoopAsync("kickoff", 64, runs, null, cluster.Kickoff, (_, body) => ids.Add(Cluster.KickoffId(body)));
        var kickedOff = clock.Elapsed;
        var done = await cluster.WaitAllFinishedAsync(clock, TimeSpan.FromMinutes(5));
        var finishedAt = DateTime.Now;
        await stopReading.CancelAsync();
        var status = await reading;
        CounterSummary? gc = null;
        if (counters is not null)
        {
            await counters.StopAsync();
            gc = await counters.ResultAsync(from, finishedAt);
        }

        var completed = await cluster.CountAsync("completed", int.MaxValue) - before;
        var peak = server.Memory().PeakRss;
        report.Add(new Figure("3", $"{runs:N0} runs at 2 s per LLM call: completed", completed, "runs", null, "all", completed == runs));
        report.Add(new Figure("3", "peak RSS (VmHWM)", peak / 1024.0 / 1024.0, "MiB", null, "< 1,024 MiB", peak < 1L << 30));
        report.Add(new Figure("3", "status p50 during it", status.Latency.PercentileMs(50), "ms"));
        report.Add(new Figure("3", "status p99 during it", status.Latency.PercentileMs(99), "ms", ceilingP99, "< 20 ms", status.Latency.PercentileMs(99) < 20));
        report.Add(new Figure("3", "thread-pool queue length, peak (dotnet-counters)", gc?.PeakQueue ?? double.NaN, "items"));
        report.Add(new Figure("3", "thread-pool threads, peak (dotnet-counters)", gc?.PeakThreads ?? double.NaN, "threads"));
        GcFigures.Add(report, "3", gc);
        GcFigures.AddHeap(report, "3", gc, runsInFlight: runs);
        // The status reads' allocations (200 a second) are in it too: a few per cent.
        GcFigures.AddAllocation(report, "3", gc, finishedAt, (double)completed * Cluster.TasksPerRun);
        Report.Detail("3", $"status by second (count/p99 ms), kickoffs until {kickedOff.TotalSeconds:0.0} s: {status.Timeline()}");
        report.Note("3", $"kickoffs took {kickedOff.TotalSeconds:0.0} s ({kickoffs.PerSecond:0}/s, {kickoffs.Failures} refused), all finished after {done.TotalSeconds:0.0} s " +
            $"(the floor is {3 * LlmLatencyMs / 1000} s); idle RSS {idleRss / 1024.0 / 1024.0:0} MiB; peak process threads {sampler.PeakThreads}, " +
            $"peak open sockets+files {sampler.PeakOpenFiles} (tracks concurrent LLM calls); {status.Latency.Count:N0} status reads, " +
            $"{status.Failures} failed, max {status.Latency.MaxMs:0.0} ms, {status.SendLagSummary}");
    }
}
