using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Bench.Micro;

/// <summary>
/// What cost accounting and budgets add in memory to one task of scenario 2's crew (one LLM call), set against scenario 2's
/// server CPU per task for issue 21's goal (at most 2 %), which that figure alone is too noisy on a shared machine to show:
/// <list type="bullet">
/// <item><see cref="PriceAndMeterOneCall"/>: the call priced and held to a budget that sets every limit, before and after
/// (the most a run pays: without a budget the meter only sums). None of it runs without costs.</item>
/// <item><see cref="ProjectOneCall"/>: the projection of the call's completed event, which since issue 21 sums the run's
/// spend and worked time, against the projection of an event that changes nothing but the sequence, as the completed call
/// did before.</item>
/// </list>
/// The store's side (the cost, spend and worked-time columns bound and written) is <see cref="TaskAppendBenchmarks"/>'.
/// </summary>
[MemoryDiagnoser]
public class CostAccountingBenchmarks
{
    private const string Model = "openai/gpt-4o-mini";
    private static readonly TokenUsage Counted = new(60, 40, 0, 1);
    private static readonly CrewBudget EveryLimit = new()
    {
        MaxTotalTokens = long.MaxValue,
        MaxCostUsd = 1_000_000_000m,
        MaxLlmCalls = long.MaxValue,
        MaxDuration = TimeSpan.FromDays(365),
    };

    private RunMeter _meter = null!;
    private RunRecord _run = null!;
    private RunEvent _call = null!;

    /// <summary>With costs: the call's completed event, counted. Without: an event the projection only numbers.</summary>
    [Params(false, true)]
    public bool Costs { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        _meter = new RunMeter(EveryLimit, RunCheckpoint.Empty, new PriceList(Options.Create(new LlmPriceOptions())), TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        _run = new RunRecord
        {
            Id = Guid.CreateVersion7(),
            CrewName = "trio",
            Crew = new CrewDefinition { Name = "trio", Agents = [], Tasks = [], Inputs = [] },
            Inputs = [],
            OwnerId = "org:tok_bench",
            TokenId = "tok_bench",
            CorrelationId = "bench",
            State = RunState.Running,
            CreatedAt = now,
            StartedAt = now,
            WorkMark = now,
            LastSequence = 5,
        };
        var usage = Priced(0.000033m);
        _call = new RunEvent
        {
            RunId = _run.Id,
            Sequence = 6,
            Timestamp = now.AddMilliseconds(3),
            Data = Costs ? new LlmCallCompleted("task_1", "Analyst", Model, usage) : new LlmCallStarted("task_1", "Analyst", Model),
        };
    }

    /// <summary>Without costs, nothing: the baseline is no work at all.</summary>
    [Benchmark]
    public decimal? PriceAndMeterOneCall()
    {
        if (!Costs)
        {
            return null;
        }

        _meter.BeforeLlmCall(Model);
        var usage = Priced(_meter.CostOf(Model, Counted, cacheWriteTokens: 0));
        _meter.AfterLlmCall(usage);
        return usage.CostUsd;
    }

    [Benchmark]
    public RunUpdate ProjectOneCall() => RunUpdate.Between(_run, RunProjection.Apply(_run, _call), leaseOwner: "bench");

    // The call's usage with its cost, as LlmCallEventsChatClient makes it.
    private static TokenUsage Priced(decimal? cost) =>
        new(Counted.PromptTokens, Counted.CompletionTokens, Counted.CachedPromptTokens, Counted.SuccessfulRequests, cost);
}
