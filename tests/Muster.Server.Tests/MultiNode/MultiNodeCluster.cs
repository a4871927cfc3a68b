using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.MultiNode;

/// <summary>
/// Several Muster server processes (<c>node-0</c>, <c>node-1</c>, …) on one throwaway PostgreSQL database, created for
/// one test and dropped after it, with one LLM simulator and one crews folder. Leases are short so that a killed
/// node's runs are taken over within seconds, and SSE heartbeats are long so that live events can only arrive by
/// LISTEN/NOTIFY.
/// </summary>
internal sealed class MultiNodeCluster : IAsyncDisposable
{
    public const int LeaseSeconds = 4;

    private readonly ThrowawayDatabase _database;
    private readonly TempFolder _folder = new();
    private readonly List<MusterServerProcess> _nodes = [];

    private MultiNodeCluster(ThrowawayDatabase database, LlmSimulator simulator)
    {
        _database = database;
        Simulator = simulator;
    }

    public string Token { get; } = "mst_multinode_" + Guid.NewGuid().ToString("N");

    public LlmSimulator Simulator { get; }

    public IReadOnlyList<MusterServerProcess> Nodes => _nodes;

    /// <summary>
    /// Creates the database (on <paramref name="server"/>, by default the one <c>MUSTER_TEST_PG</c> names) and starts
    /// <paramref name="nodes"/> nodes at once (they migrate the schema concurrently).
    /// </summary>
    public static async Task<MultiNodeCluster> StartAsync(
        int nodes, Action<string> writeCrews, IReadOnlyDictionary<string, string?>? extra = null, string? server = null)
    {
        var cluster = new MultiNodeCluster(await ThrowawayDatabase.CreateAsync(server), await LlmSimulator.StartAsync(new SimulatorOptions()));
        try
        {
            writeCrews(cluster._folder.Combine("crews"));
            var started = await Task.WhenAll(Enumerable.Range(0, nodes).Select(i => cluster.StartNodeAsync($"node-{i}", extra)));
            cluster._nodes.AddRange(started);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(int node) => _nodes[node].CreateClient(Token);

    /// <summary>The node that holds <paramref name="runId"/>'s lease now, waiting until one does.</summary>
    public async Task<int> ExecutingNodeAsync(Guid runId)
    {
        var owner = await Eventually.Until(
            () => RunScalarAsync<string>(runId, "SELECT lease_owner FROM runs WHERE id = @id AND state = 'running'"),
            found => found is not null,
            $"run {runId} was never claimed by a node");
        return int.Parse(owner!["node-".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until <paramref name="condition"/> (a boolean query) holds.</summary>
    public Task WaitUntilAsync(string condition) =>
        Eventually.Until(() => ScalarAsync<bool>(condition), $"this never held: {condition}");

    /// <summary>How many times each node logged that it started executing <paramref name="runId"/>.</summary>
    public IReadOnlyList<int> ExecutionsOf(Guid runId) =>
        [.. _nodes.Select(n => n.Output.Count(line => line.Contains($"Executing run {runId} ", StringComparison.Ordinal)))];

    /// <summary>Every node's log lines that mention <paramref name="runId"/>, for a failure message.</summary>
    public string LogOf(Guid runId) => string.Join('\n', _nodes.SelectMany((n, i) =>
        n.Output.Where(line => line.Contains(runId.ToString(), StringComparison.Ordinal)).Select(line => $"node-{i}: {line}")));

    public Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) => _database.ScalarAsync<T>(sql, parameters);

    /// <summary>A query about one run, which it names <c>@id</c>.</summary>
    public Task<T?> RunScalarAsync<T>(Guid runId, string sql) => _database.ScalarAsync<T>(sql, ("id", runId.ToString()));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Simulator.DisposeAsync();
        await _database.DisposeAsync();
        _folder.Dispose();
    }

    private Task<MusterServerProcess> StartNodeAsync(string nodeId, IReadOnlyDictionary<string, string?>? extra)
    {
        var settings = TestSettings.For(_folder, Simulator.BaseUrl.ToString(), Token);
        settings["Muster:Storage:Provider"] = "postgres";
        settings["Muster:Storage:ConnectionString"] = _database.ConnectionString;
        settings["Muster:Execution:NodeId"] = nodeId;
        settings["Muster:Execution:LeaseSeconds"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Muster:Execution:HeartbeatSeconds"] = "1";
        settings["Muster:EventStream:HeartbeatInterval"] = "00:10:00";
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return MusterServerProcess.StartAsync(settings, _folder.Path, Eventually.ProcessLimit);
    }
}
