using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Storage;
using Muster.Storage.Sqlite;

namespace Muster.Bench.Micro;

/// <summary>
/// The three store reads behind every <c>GET /status/{id}</c> of a finished run (the token, the run, its task results),
/// on a SQLite file, one at a time: what scenario 1 pays per request before HTTP and JSON.
/// </summary>
[MemoryDiagnoser]
public class StatusReadBenchmarks
{
    private MicroStore _micro = null!;
    private SqliteRunStore _store = null!;
    private Guid _runId;

    // Synchronous on purpose: the in-process toolchain does not await an asynchronous set-up.
    [GlobalSetup]
    public void SetUp() => SetUpAsync().GetAwaiter().GetResult();

    private async Task SetUpAsync()
    {
        var now = DateTimeOffset.UtcNow;
        _micro = await MicroStore.CreateAsync(Crew(), now);
        _store = _micro.Store;
        _runId = _micro.Run.Id;
        for (var task = 1; task <= 3; task++)
        {
            var output = new TaskOutput
            {
                Name = $"task_{task}",
                Description = $"Step {task} about tidal energy",
                ExpectedOutput = "A paragraph",
                Summary = $"Step {task}...",
                Raw = string.Concat(Enumerable.Repeat("Simulated answer about tidal energy. ", 6)),
                Agent = "Analyst",
                ExecutionTimeSeconds = 0.01,
                Usage = new TokenUsage(60, 40, 0, 1),
            };
            await _store.AppendEventAsync(new RunEvent
            {
                RunId = _runId,
                Sequence = task,
                Timestamp = now,
                Data = new TaskCompleted(output),
            }, new RunUpdate { CompletedTasks = task }, [], CancellationToken.None);
        }
    }

    [GlobalCleanup]
    public void CleanUp() => _micro.Dispose();

    [Benchmark]
    public Task<TokenRecord?> FindToken() => _store.FindTokenByHashAsync(MicroStore.TokenHash, CancellationToken.None);

    [Benchmark]
    public Task<RunRecord?> GetRun() => _store.GetRunAsync(_runId, CancellationToken.None);

    [Benchmark]
    public Task<IReadOnlyList<TaskOutput>> GetTaskResults() => _store.GetTaskResultsAsync(_runId, CancellationToken.None);

    private static CrewDefinition Crew() => new()
    {
        Name = "trio",
        Agents = [new AgentDefinition { Key = "analyst", Role = "tidal energy Analyst", Goal = "Find the three facts about tidal energy that matter most", Backstory = "You read quickly and write short notes." }],
        Tasks = [.. Enumerable.Range(1, 3).Select(i => new TaskDefinition
        {
            Name = $"task_{i}",
            Description = $"Step {i} about tidal energy",
            ExpectedOutput = "A paragraph",
            Agent = "analyst",
        })],
        Inputs = ["topic"],
    };
}
