using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Storage;
using Muster.Storage.Sqlite;

namespace Muster.Bench.Micro;

/// <summary>
/// What the store does for one task of scenario 2's crew (one LLM call): its four events appended in one batch, each with the
/// update the projection makes, on a SQLite file. <see cref="Costs"/> off strips what cost accounting, budgets and the usage
/// report add to those writes (the call's cost and usage columns with their index entry, the run's spend and worked time): the
/// difference is at most their share of the store's work per task
/// (issue 21's bench goal; scenario 2's server CPU per task is too noisy on a shared machine to show 2 %).
/// </summary>
[MemoryDiagnoser]
public class TaskAppendBenchmarks
{
    private static readonly TokenUsage CallUsage = new(60, 40, 0, 1);
    private MicroStore _micro = null!;
    private SqliteRunStore _store = null!;
    private RunRecord _run = null!;
    private DateTimeOffset _now;

    /// <summary>Whether the events carry costs and the updates the budget columns, as they do since issue 21.</summary>
    [Params(false, true)]
    public bool Costs { get; set; }

    // Synchronous on purpose: the in-process toolchain does not await an asynchronous set-up.
    [GlobalSetup]
    public void SetUp() => SetUpAsync().GetAwaiter().GetResult();

    private async Task SetUpAsync()
    {
        _now = DateTimeOffset.UtcNow;
        // On tmpfs where there is one: the disk's own spread (±10 % here) hides the few per cent this compares.
        _micro = await MicroStore.CreateAsync(
            new CrewDefinition
            {
                Name = "trio",
                Agents = [new AgentDefinition { Key = "analyst", Role = "Analyst", Goal = "Find facts", Backstory = "You read quickly." }],
                Tasks = [new TaskDefinition { Name = "task_1", Description = "Step 1", ExpectedOutput = "A paragraph", Agent = "analyst" }],
                Inputs = ["topic"],
            },
            _now,
            onTmpfs: true);
        _store = _micro.Store;
        _run = _micro.Run;
        // Started, as the engine's first event leaves it: worked time counts from here.
        await AppendAsync([new CrewKickoffStarted("trio", new JsonObject { ["topic"] = "tidal energy" }, 1)]);
    }

    [GlobalCleanup]
    public void CleanUp() => _micro.Dispose();

    [Benchmark]
    public Task AppendOneTask()
    {
        var usage = Costs ? new TokenUsage(60, 40, 0, 1, 0.000084m) : CallUsage;
        return AppendAsync(
        [
            new TaskStarted { TaskName = "task_1", Agent = "Analyst", Description = "Step 1 about tidal energy" },
            new LlmCallStarted("task_1", "Analyst", "openai/gpt-4o-mini"),
            // Without costs the call's answer is stored as an event with no usage: its row then carries none of the usage
            // report's columns, and the report's partial index gets no entry. The JSON is shorter too, so the difference is
            // an upper bound of what costs add.
            Costs ? new LlmCallCompleted("task_1", "Analyst", "openai/gpt-4o-mini", usage) : new LlmCallStarted("task_1", "Analyst", "openai/gpt-4o-mini"),
            new TaskCompleted(new TaskOutput
            {
                Name = "task_1",
                Description = "Step 1 about tidal energy",
                ExpectedOutput = "A paragraph",
                Summary = "Step 1...",
                Raw = string.Concat(Enumerable.Repeat("Simulated answer about tidal energy. ", 6)),
                Agent = "Analyst",
                ExecutionTimeSeconds = 0.01,
                Usage = usage,
            }),
        ]);
    }

    private Task AppendAsync(IReadOnlyList<RunEventData> data)
    {
        var appends = new List<EventAppend>(data.Count);
        foreach (var item in data)
        {
            _now = _now.AddMilliseconds(1);
            var runEvent = new RunEvent { RunId = _run.Id, Sequence = _run.LastSequence + 1, Timestamp = _now, Data = item };
            var after = RunProjection.Apply(_run, runEvent);
            var update = RunUpdate.Between(_run, after, leaseOwner: "bench");
            appends.Add(new EventAppend(runEvent, Costs ? update : update with { Spent = null, Worked = null, WorkMark = null }, []));
            _run = after;
        }

        return _store.AppendEventsAsync(appends, CancellationToken.None);
    }
}
