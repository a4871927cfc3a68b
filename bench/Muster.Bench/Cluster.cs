using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Muster.Bench;

/// <summary>
/// One scenario's processes: the LLM simulator and N server nodes (Release build, real processes, loopback, a fresh
/// SQLite file or the given PostgreSQL database), with the requests the scenarios send them.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    public const string Crew = "trio";
    public const int TasksPerRun = 3;

    /// <summary>How many senders kick off a batch of runs (<see cref="RunToCompletionAsync"/>).</summary>
    public const int KickoffSenders = 64;

    /// <summary>The bootstrap (organization) token every node is started with.</summary>
    public const string BootstrapToken = "bench-token-0123456789abcdef0123456789";

    /// <summary>Every kickoff's body; the ceilings answer the same bytes.</summary>
    public const string KickoffJson = """{"inputs":{"topic":"tidal energy"}}""";

    private static readonly byte[] KickoffBody = Encoding.UTF8.GetBytes(KickoffJson);

    private readonly List<ChildProcess> _nodes;

    private Cluster(ChildProcess simulator, List<ChildProcess> nodes, LoadGenerator load)
    {
        Simulator = simulator;
        _nodes = nodes;
        Load = load;
    }

    public ChildProcess Simulator { get; }

    public IReadOnlyList<ChildProcess> Nodes => _nodes;

    public LoadGenerator Load { get; }

    /// <param name="serverEnvironment">The scenario's own server settings, on top of the harness's (the command line's win).</param>
    public static async Task<Cluster> StartAsync(
        BenchSettings settings, string scenario, int llmLatencyMs, int maxConcurrentRuns, string workDir, IReadOnlyDictionary<string, string>? serverEnvironment = null)
    {
        var simulator = await Roles.StartSelfAsync("simulator", ["simulator", "--latency-ms", llmLatencyMs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var nodes = new List<ChildProcess>();
        try
        {
            var folder = Path.Combine(workDir, scenario);
            Directory.CreateDirectory(folder);
            var environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
                ["Muster__Auth__BootstrapToken"] = BootstrapToken,
                ["Muster__CrewsPath"] = settings.CrewsPath,
                ["Muster__Llm__Providers__openai__BaseUrl"] = simulator.Url.ToString(),
                ["Muster__Llm__Providers__openai__ApiKey"] = "bench",
                ["Muster__Llm__DefaultModel"] = "openai/simulated",
                ["Muster__Execution__MaxConcurrentRuns"] = maxConcurrentRuns.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Muster__Execution__ShutdownGraceSeconds"] = "0",
                ["Muster__Storage__Provider"] = settings.Storage,
                ["Muster__Storage__ConnectionString"] = settings.Storage == "sqlite"
                    ? $"Data Source={Path.Combine(folder, "muster.db")}"
                    : settings.ConnectionString!,
            };
            foreach (var (key, value) in (serverEnvironment ?? new Dictionary<string, string>()).Concat(settings.ServerEnvironment))
            {
                environment[key] = value;
            }

            // Nodes start one after another so that the first creates the schema alone.
            for (var i = 0; i < settings.Nodes; i++)
            {
                environment["Muster__Execution__NodeId"] = $"bench-{scenario}-node{i}";
                nodes.Add(await StartNodeAsync($"server node {i}", settings.ServerDll, environment, folder));
            }

            var load = new LoadGenerator();
            var cluster = new Cluster(simulator, nodes, load);
            await cluster.WaitReadyAsync();
            await cluster.WarmUpAsync(settings.NodeWarmUpRuns, llmLatencyMs);
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await simulator.DisposeAsync();
            throw;
        }
    }

    // One retry: on a machine shared with other work a start-up can be cut short by something outside this harness.
    private static async Task<ChildProcess> StartNodeAsync(string name, string serverDll, Dictionary<string, string> environment, string folder)
    {
        string[] arguments = [serverDll, "--urls", "http://127.0.0.1:0"];
        try
        {
            return await ChildProcess.StartAsync(name, "dotnet", arguments, environment, folder);
        }
        catch (InvalidOperationException ex)
        {
            Console.WriteLine($"  {name} did not start ({ex.Message.Split('\n')[0]}); retrying once");
            return await ChildProcess.StartAsync(name, "dotnet", arguments, environment, folder);
        }
    }

    /// <summary>
    /// Runs the crew <paramref name="runs"/> times end to end (the simulator answering at once) and waits for every run
    /// to finish, so that each scenario measures warm nodes. A fresh node runs its first seconds of load on
    /// code the JIT has not optimized yet, and the runtime's tiered-compilation thread then recompiles the hot methods in
    /// the background for a while: after a warm-up of only 200 runs that thread still took a fifth of scenario 2's server
    /// CPU (perf), which is a cost of starting, not of the work measured.
    /// </summary>
    private async Task WarmUpAsync(int runs, int llmLatencyMs)
    {
        if (llmLatencyMs != 0)
        {
            await SetLlmLatencyAsync(0);
        }

        ColdStart = await RunToCompletionAsync("node warm-up", runs, TimeSpan.FromMinutes(2));
        if (llmLatencyMs != 0)
        {
            await SetLlmLatencyAsync(llmLatencyMs);
        }
    }

    /// <summary>What the warm-up cost the fresh nodes: the same work as scenario 2's, before the JIT has settled.</summary>
    public Batch? ColdStart { get; private set; }

    /// <summary>
    /// Kicks off <paramref name="runs"/> runs (<see cref="KickoffSenders"/> senders, closed loop) and waits until no run
    /// is pending or running, with the nodes' CPU over the whole stretch.
    /// </summary>
    public async Task<Batch> RunToCompletionAsync(string name, int runs, TimeSpan timeout, Action<long, string>? onKickedOff = null)
    {
        var cpuBefore = _nodes.Sum(n => n.CpuTime().TotalSeconds);
        var clock = Stopwatch.StartNew();
        var kickoffs = await Load.ClosedLoopAsync(name, KickoffSenders, runs, null, Kickoff, onKickedOff);
        var kickedOff = clock.Elapsed;
        var elapsed = await WaitAllFinishedAsync(clock, timeout);
        var cpu = TimeSpan.FromSeconds(_nodes.Sum(n => n.CpuTime().TotalSeconds) - cpuBefore);
        return new Batch(runs, kickoffs, kickedOff, elapsed, cpu);
    }

    public Uri Node(long i) => _nodes[(int)(i % _nodes.Count)].Url;

    public Task SetLlmLatencyAsync(int milliseconds) => Simulator.SendLineAsync($"latency {milliseconds}");

    public HttpRequestMessage Kickoff(long i) => Kickoff(i, KickoffBody);

    /// <summary>A kickoff with a body of the scenario's own (webhook URLs, say).</summary>
    public HttpRequestMessage Kickoff(long i, byte[] body)
    {
        var request = Authorized(HttpMethod.Post, new Uri(Node(i), $"/crews/{Crew}/kickoff"));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    public HttpRequestMessage Status(long i, string runId) => Authorized(HttpMethod.Get, new Uri(Node(i), $"/crews/{Crew}/status/{runId}"));

    public static string KickoffId(string body) => JsonNode.Parse(body)!["kickoff_id"]!.GetValue<string>();

    public string AuthorizationHeader => "Authorization: Bearer " + BootstrapToken;

    public async Task<string> KickoffOneAsync()
    {
        using var response = await Load.Client.SendAsync(Kickoff(0));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? KickoffId(body) : throw new InvalidOperationException($"kickoff answered {(int)response.StatusCode}: {body}");
    }

    /// <summary>Kicks off one run and waits until it completes: a warmed-up server, and a status body to read.</summary>
    public async Task<(string RunId, string StatusBody)> FinishOneAsync()
    {
        var runId = await KickoffOneAsync();
        await WaitForStatusAsync(runId, "completed", TimeSpan.FromSeconds(30));
        return (runId, await GetStatusBodyAsync(runId));
    }

    public async Task<string> GetStatusBodyAsync(string runId)
    {
        using var response = await Load.Client.SendAsync(Status(0, runId));
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Waits until <paramref name="runId"/>'s status is <paramref name="status"/> (running, completed or error).</summary>
    public async Task WaitForStatusAsync(string runId, string status, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (JsonNode.Parse(await GetStatusBodyAsync(runId))!["status"]!.GetValue<string>() != status)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Run {runId} did not reach {status} in {timeout}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Polls the run history until no run is pending or running, and returns when that was first seen (the history
    /// query is cheap: one indexed read a poll, ten polls a second).
    /// </summary>
    public async Task<TimeSpan> WaitAllFinishedAsync(Stopwatch clock, TimeSpan timeout)
    {
        var deadline = clock.Elapsed + timeout;
        while (clock.Elapsed < deadline)
        {
            if (await CountAsync("pending", 1) == 0 && await CountAsync("running", 1) == 0)
            {
                return clock.Elapsed;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Runs were still unfinished after {timeout}.");
    }

    /// <summary>How many runs the history holds in <paramref name="status"/>, counting up to <paramref name="atMost"/>.</summary>
    public async Task<int> CountAsync(string status, int atMost)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var limit = Math.Min(1000, atMost - count);
            var url = new Uri(Node(0), $"/api/crew-runs?status={status}&limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            using var response = await Load.Client.SendAsync(Authorized(HttpMethod.Get, url));
            response.EnsureSuccessStatusCode();
            count += JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Count;
            cursor = response.Headers.TryGetValues("X-Next-Cursor", out var next) ? next.First() : null;
        }
        while (cursor is not null && count < atMost);
        return count;
    }

    /// <summary>How many events the history holds for a run (at most 1000).</summary>
    public async Task<int> EventCountAsync(string runId)
    {
        using var response = await Load.Client.SendAsync(Authorized(HttpMethod.Get, new Uri(Node(0), $"/api/crew-runs/{runId}/events")));
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (body as JsonArray ?? body["events"]?.AsArray())?.Count ?? 0;
    }

    public async ValueTask DisposeAsync()
    {
        Load.Dispose();
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Simulator.DisposeAsync();
    }

    private static HttpRequestMessage Authorized(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BootstrapToken);
        return request;
    }

    private async Task WaitReadyAsync()
    {
        foreach (var node in _nodes)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var response = await Load.Client.GetAsync(new Uri(node.Url, "/readyz"));
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    // Not accepting yet.
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new InvalidOperationException($"{node.Name} never became ready:\n{node.LastLines()}");
                }

                await Task.Delay(50);
            }
        }
    }
}

/// <summary>
/// A batch of runs run to completion: the kickoffs as the generator saw them, when the last kickoff was answered and the
/// last run finished (both from the first kickoff), and the nodes' CPU meanwhile.
/// </summary>
internal sealed record Batch(int Runs, LoadResult Kickoffs, TimeSpan KickedOff, TimeSpan Elapsed, TimeSpan Cpu)
{
    public double TasksPerSecond => Runs * Cluster.TasksPerRun / Elapsed.TotalSeconds;

    public double CpuPerTaskMs => Cpu.TotalMilliseconds / (Runs * Cluster.TasksPerRun);
}
