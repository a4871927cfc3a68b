using System.Diagnostics;
using System.Text;

namespace Muster.Bench.Scenarios;

/// <summary>
/// 6. Webhook fairness: 300 runs whose crew webhook goes to a receiver that accepts connections and never answers, then,
/// with the dispatcher busy on those, 3 runs whose crew webhook goes to a healthy receiver on another host. Measured: how
/// long the healthy receiver waits for the 3, from their kickoff (each run takes milliseconds: the simulator answers at
/// once). The server runs the shipped webhook settings (10 s attempt timeout, 32 queues at once); only private networks
/// are allowed, since both receivers are on loopback.
/// </summary>
internal static class WebhookFairness
{
    private const int DeadRuns = 300;
    private const int HealthyRuns = 3;

    public static async Task RunAsync(BenchSettings settings, Report report, string workDir)
    {
        var clock = Stopwatch.StartNew();
        await using var dead = new SilentReceiver();
        await using var healthy = await HealthyReceiver.StartAsync(clock);
        await using var cluster = await Cluster.StartAsync(settings, "s6", llmLatencyMs: 0, maxConcurrentRuns: 64, workDir,
            new Dictionary<string, string> { ["Muster__Webhooks__AllowPrivateNetworks"] = "true" });

        // "localhost" and "127.0.0.1" are two hosts to the dispatcher, though both reach loopback.
        var deadBody = Body($"http://localhost:{dead.Port}/hook");
        var kickoffs = await cluster.Load.ClosedLoopAsync("dead-receiver kickoffs", Cluster.KickoffSenders, DeadRuns, null, i => cluster.Kickoff(i, deadBody));
        await cluster.WaitAllFinishedAsync(Stopwatch.StartNew(), TimeSpan.FromMinutes(5));
        await WaitAsync(() => dead.Accepted > 0, TimeSpan.FromSeconds(30), "the dispatcher never called the dead receiver");

        var healthyBody = Body(new Uri(healthy.Url, "hook").ToString());
        var started = clock.Elapsed;
        var healthyKickoffs = await cluster.Load.ClosedLoopAsync("healthy-receiver kickoffs", HealthyRuns, HealthyRuns, null, i => cluster.Kickoff(i, healthyBody));
        var limit = TimeSpan.FromSeconds(settings.Full ? 420 : 120);
        var arrived = await WaitAsync(() => healthy.Arrivals.Count >= HealthyRuns, limit, null);
        var arrivals = healthy.Arrivals;
        var slowest = arrived ? (arrivals[HealthyRuns - 1] - started).TotalSeconds : double.NaN;

        report.Add(new Figure("6", $"{HealthyRuns} webhooks to a healthy host beside {DeadRuns} to a dead one: kickoff → last received",
            slowest, "s", Goal: "< 5 s", Met: arrived && slowest < 5));
        report.Add(new Figure("6", "connections the dead receiver held at once, peak", dead.Peak, "conn"));
        report.Note("6", (arrived ? "" : $"the healthy receiver had {arrivals.Count} of {HealthyRuns} webhooks after {limit.TotalSeconds:0} s; ") +
            $"{kickoffs.Latency.Count + healthyKickoffs.Latency.Count} kickoffs ({kickoffs.Failures + healthyKickoffs.Failures} failed); " +
            $"the dead receiver accepted {dead.Accepted} connections in all");
    }

    private static byte[] Body(string crewWebhookUrl) =>
        Encoding.UTF8.GetBytes($$"""{"inputs":{"topic":"tidal energy"},"crewWebhookUrl":"{{crewWebhookUrl}}"}""");

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan limit, string? failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                return failure is null ? false : throw new TimeoutException(failure);
            }

            await Task.Delay(20);
        }

        return true;
    }
}
