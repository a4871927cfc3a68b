namespace Muster.Bench.Scenarios;

/// <summary>
/// 1. <c>GET /status/{id}</c> of a finished and of a running run with wrk, 64 connections, beside bare Kestrel answering
/// a body of the same size from memory.
/// </summary>
internal static class StatusReads
{
    private const int Connections = 64;

    public static async Task RunAsync(BenchSettings settings, Report report, string workDir)
    {
        await using var cluster = await Cluster.StartAsync(settings, "s1", llmLatencyMs: 0, maxConcurrentRuns: 64, workDir);
        var (finished, finishedBody) = await cluster.FinishOneAsync();

        // From now on every LLM call hangs for an hour: the next run stays in its first task.
        await cluster.SetLlmLatencyAsync(3_600_000);
        var running = await cluster.KickoffOneAsync();
        await cluster.WaitForStatusAsync(running, "running", TimeSpan.FromSeconds(30));

        var bodies = new Dictionary<string, string>
        {
            ["finished"] = finishedBody,
            ["running"] = await cluster.GetStatusBodyAsync(running),
        };
        await using var ceiling = await Ceiling.StartAsync(workDir, "s1", bodies);

        // Warm both before measuring: tiered JIT needs seconds of load before the hot paths run optimized code, and a
        // shorter warm-up showed up as three times the CPU per request.
        var warmUp = TimeSpan.FromSeconds(5);
        await Wrk.RunAsync(new Uri(ceiling.Url, "/finished"), Connections, warmUp);
        await Wrk.RunAsync(StatusUrl(cluster, finished), Connections, warmUp, cluster.AuthorizationHeader);

        foreach (var (kind, runId) in new[] { ("finished", finished), ("running", running) })
        {
            var roof = await Wrk.RunAsync(new Uri(ceiling.Url, "/" + kind), Connections, settings.WrkDuration);
            var cpuBefore = cluster.Nodes[0].CpuTime();
            var muster = await Wrk.RunAsync(StatusUrl(cluster, runId), Connections, settings.WrkDuration, cluster.AuthorizationHeader);
            var cpu = cluster.Nodes[0].CpuTime() - cpuBefore;
            var ratio = muster.RequestsPerSecond / roof.RequestsPerSecond;
            report.Add(new Figure("1", $"status of a {kind} run ({bodies[kind].Length} B), 64 conn", muster.RequestsPerSecond, "req/s",
                roof.RequestsPerSecond, "≥ 0.7 of ceiling", ratio >= 0.7));
            report.Add(new Figure("1", $"status of a {kind} run, p50", muster.P50Ms, "ms", roof.P50Ms));
            report.Add(new Figure("1", $"status of a {kind} run, p99", muster.P99Ms, "ms", roof.P99Ms, "< 5 ms", muster.P99Ms < 5));
            // Unlike throughput, CPU per request barely moves when other work shares the cores.
            report.Add(new Figure("1", $"status of a {kind} run, server CPU per request", cpu.TotalMicroseconds / Math.Max(1, muster.Requests), "µs"));
            if (muster.Errors > 0 || roof.Errors > 0)
            {
                report.Note("1", $"{kind}: {muster.Errors} failed requests of {muster.Requests} (ceiling {roof.Errors})");
            }
        }
    }

    private static Uri StatusUrl(Cluster cluster, string runId) => new(cluster.Node(0), $"/crews/{Cluster.Crew}/status/{runId}");
}
