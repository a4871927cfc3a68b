using System.Text.Json.Nodes;

namespace Muster.Bench.Scenarios;

/// <summary>
/// 2. 5,000 kickoffs (1,000 in quick mode) of the three-task crew, the simulator answering at once, until every run is stored, evented and
/// finished; beside the chat completions per second the same generator gets from the simulator directly.
/// </summary>
internal static class KickoffToComplete
{
    private const int Concurrency = Cluster.KickoffSenders;

    public static async Task RunAsync(BenchSettings settings, Report report, string workDir)
    {
        await using var cluster = await Cluster.StartAsync(settings, "s2", llmLatencyMs: 0, settings.MaxConcurrentRuns, workDir);
        var load = cluster.Load;

        // Ceiling: the simulator's own chat completions per second, same generator, same concurrency.
        var chat = new Uri(cluster.Simulator.Url, "chat/completions");
        HttpRequestMessage Completion(long i) => new(HttpMethod.Post, chat)
        {
            Content = new StringContent(ChatBody, System.Text.Encoding.UTF8, "application/json"),
        };
        await load.ClosedLoopAsync("warm-up", Concurrency, long.MaxValue, TimeSpan.FromSeconds(1), Completion);
        var roof = await load.ClosedLoopAsync("simulator", Concurrency, long.MaxValue, TimeSpan.FromSeconds(settings.Full ? 10 : 4), Completion);

        // The nodes are warm (Cluster.WarmUpAsync); count only the runs of the measured stretch.
        var before = await cluster.CountAsync("completed", int.MaxValue);

        // dotnet-counters on the first node counts what the batch allocates; it attaches before the batch starts.
        await using var counters = Counters.TryStart(cluster.Nodes[0], Path.Combine(workDir, "s2"), TimeSpan.FromMinutes(15));
        if (counters is not null)
        {
            await counters.WaitUntilAttachedAsync(TimeSpan.FromSeconds(30));
        }

        var runs = settings.KickoffRuns;
        var ids = new string[runs];
        var from = DateTime.Now;
        var batch = await cluster.RunToCompletionAsync("kickoff", runs, TimeSpan.FromMinutes(10), (i, body) => ids[i] = Cluster.KickoffId(body));
        var to = DateTime.Now;
        CounterSummary? gc = null;
        if (counters is not null)
        {
            await counters.StopAsync();
            gc = await counters.ResultAsync(from, to);
        }

        var (kickoffs, kickedOff, done, cpu) = (batch.Kickoffs, batch.KickedOff, batch.Elapsed, batch.Cpu.TotalSeconds);

        var completed = await cluster.CountAsync("completed", int.MaxValue) - before;
        var failed = await cluster.CountAsync("failed", int.MaxValue);
        var events = await cluster.EventCountAsync(ids[runs / 2]);
        var runsPerSecond = completed / done.TotalSeconds;
        var tasksPerSecond = runsPerSecond * Cluster.TasksPerRun;
        report.Add(new Figure("2", $"{runs:N0} runs kickoff→complete, runs/s", runsPerSecond, "runs/s"));
        report.Add(new Figure("2", "tasks/s end to end (1 LLM call each)", tasksPerSecond, "tasks/s", roof.PerSecond,
            "≥ 1,000 and ≥ 0.5 of ceiling", tasksPerSecond >= 1000 && tasksPerSecond / roof.PerSecond >= 0.5));
        report.Add(new Figure("2", "kickoffs answered/s (during the same phase)", kickoffs.PerSecond, "req/s"));
        report.Add(new Figure("2", "server CPU per task", cpu * 1000 / (completed * Cluster.TasksPerRun), "ms"));
        // With several nodes, the first node's allocations over its share of the tasks.
        GcFigures.AddAllocation(report, "2", gc, to, (double)completed * Cluster.TasksPerRun / cluster.Nodes.Count);
        if (cluster.ColdStart is { } cold)
        {
            // The same work on fresh nodes (the warm-up): what a node just started, or scaled out, delivers at first.
            report.Add(new Figure("2", $"fresh nodes, first {cold.Runs:N0} runs: tasks/s", cold.TasksPerSecond, "tasks/s"));
            report.Add(new Figure("2", "fresh nodes: server CPU per task", cold.CpuPerTaskMs, "ms"));
        }

        report.Note("2", $"{completed:N0} of {runs:N0} runs completed ({failed} failed, {kickoffs.Failures} kickoffs refused) in {done.TotalSeconds:0.0} s " +
            $"(kickoffs took {kickedOff.TotalSeconds:0.0} s); a sample run has {events} events; MaxConcurrentRuns {settings.MaxConcurrentRuns}, " +
            $"{Concurrency} client connections; server CPU {cpu:0.0} s of {done.TotalSeconds * Environment.ProcessorCount:0.0} core-seconds");
        if (kickoffs.FirstFailure is { } why)
        {
            report.Note("2", $"first failed kickoff: {why}");
        }
    }

    // Roughly what the engine sends for one task: a system prompt (role, goal, backstory) and the task.
    private static readonly string ChatBody = new JsonObject
    {
        ["model"] = "simulated",
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = "You are tidal energy Analyst. You read quickly and write short notes. Your personal goal is: Find the three facts about tidal energy that matter most" },
            new JsonObject { ["role"] = "user", ["content"] = "Current Task: List three facts about tidal energy.\n\nThis is the expected criteria for your final answer: Three short bullet points.\nyou MUST return the actual complete content as the final answer, not a summary." }),
    }.ToJsonString();
}
