using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    [StoreFact]
    public async Task TheRunsCostSpendAndWorkedTime_AreStoredAndReadBack()
    {
        var id = await CreateRunningAsync();
        var created = (await Runs.GetRunAsync(id, Ct))!;
        created.Usage.CostUsd.ShouldBe(0m, "a new run has spent nothing yet");
        created.Spent.ShouldBe(RunSpend.Zero);

        await Runs.AppendEventAsync(
            Event(id, 1),
            new RunUpdate
            {
                Usage = new TokenUsage(300, 100, 0, 1, 0.000123456m),
                Spent = new RunSpend(400, 1, 0.000123456m),
                Worked = TimeSpan.FromMilliseconds(12_345),
                WorkMark = T0.AddSeconds(12),
            },
            [], Ct);
        var run = (await Runs.GetRunAsync(id, Ct))!;

        run.Usage.ShouldBe(new TokenUsage(300, 100, 0, 1, 0.000123456m));
        run.Spent.ShouldBe(new RunSpend(400, 1, 0.000123456m));
        run.Worked.ShouldBe(TimeSpan.FromMilliseconds(12_345));
        run.WorkMark.ShouldBe(T0.AddSeconds(12));
    }

    [StoreFact]
    public async Task AnUnknownCost_IsStoredAsUnknown_NotZero()
    {
        var id = await CreateRunningAsync();

        await Runs.AppendEventAsync(
            Event(id, 1), new RunUpdate { Usage = new TokenUsage(1, 1, 0, 1, CostUsd: null), Spent = new RunSpend(2, 1, null) }, [], Ct);
        var run = (await Runs.GetRunAsync(id, Ct))!;

        run.Usage.CostUsd.ShouldBeNull();
        run.Spent.CostUsd.ShouldBeNull();
    }
}
