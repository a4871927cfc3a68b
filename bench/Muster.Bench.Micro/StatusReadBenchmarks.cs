using System.Security.Cryptography;
using System.Text;
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
    private const string TokenHash = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private string _folder = "";
    private SqliteRunStore _store = null!;
    private Guid _runId;

    // Synchronous on purpose: the in-process toolchain does not await an asynchronous set-up.
    [GlobalSetup]
    public void SetUp() => SetUpAsync().GetAwaiter().GetResult();

    private async Task SetUpAsync()
    {
        _folder = Directory.CreateTempSubdirectory("muster-micro-").FullName;
        _store = new SqliteRunStore($"Data Source={Path.Combine(_folder, "muster.db")}", TimeProvider.System);
        await _store.InitializeAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        await _store.CreateTokenAsync(new TokenRecord { Id = "tok_bench", Hash = TokenHash, Kind = TokenKind.Organization, CreatedAt = now }, CancellationToken.None);

        _runId = Guid.CreateVersion7();
        await _store.CreateRunAsync(new NewRun
        {
            Id = _runId,
            CrewName = "trio",
            Crew = Crew(),
            Inputs = new JsonObject { ["topic"] = "tidal energy" },
            OwnerId = "org:tok_bench",
            TokenId = "tok_bench",
            CorrelationId = "bench",
            Webhooks = new WebhookSettings(),
            CreatedAt = now,
        }, CancellationToken.None);
        await _store.TryClaimRunAsync("bench", now, TimeSpan.FromMinutes(5), CancellationToken.None);
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
    public void CleanUp()
    {
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public Task<TokenRecord?> FindToken() => _store.FindTokenByHashAsync(TokenHash, CancellationToken.None);

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
