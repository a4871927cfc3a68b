using Muster.Contracts;
using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    private static readonly DateTimeOffset UsageFrom = T0.AddHours(-12);
    private static readonly DateTimeOffset UsageTo = T0.AddDays(2);

    [StoreFact]
    public async Task TheUsageReport_SumsEveryLlmCallInTheWindow_PerCrewModelOwnerAndDay()
    {
        await StoreUsageSampleAsync();

        (await UsageAsync(UsageGrouping.Crew)).ShouldBe(
        [
            new UsageGroup("alpha", 300, 30, 2, null),
            new UsageGroup("beta", 50, 5, 1, 0.0005m),
        ]);
        (await UsageAsync(UsageGrouping.Model)).ShouldBe(
        [
            new UsageGroup("openai/m1", 150, 15, 2, 0.0015m),
            new UsageGroup("openai/m2", 200, 20, 1, null),
        ]);
        (await UsageAsync(UsageGrouping.Owner)).ShouldBe(
        [
            new UsageGroup("ann", 300, 30, 2, null),
            new UsageGroup("bob", 50, 5, 1, 0.0005m),
        ]);
        (await UsageAsync(UsageGrouping.Day)).ShouldBe(
        [
            new UsageGroup("2026-03-01", 150, 15, 2, 0.0015m),
            new UsageGroup("2026-03-02", 200, 20, 1, null),
        ]);
    }

    [StoreFact]
    public async Task TheUsageReport_KeepsToTheOwnerAndCrewsAsked_AndLeavesAdHocRunsOutOfACrewList()
    {
        await StoreUsageSampleAsync();
        var adHoc = await CreateAsync(Run(owner: "bob", crewName: "beta") with { AdHoc = true });
        await Runs.AppendEventAsync(Call(adHoc, 1, T0, "openai/m1", 1_000, 100, 0.01m), null, [], Ct);

        (await UsageAsync(UsageGrouping.Crew, ownerId: "ann")).ShouldBe([new UsageGroup("alpha", 300, 30, 2, null)]);
        (await UsageAsync(UsageGrouping.Crew, crews: ["beta"])).ShouldBe([new UsageGroup("beta", 50, 5, 1, 0.0005m)]);
        (await UsageAsync(UsageGrouping.Crew)).ShouldContain(new UsageGroup("beta", 1_050, 105, 2, 0.0105m), "unscoped, the ad-hoc run counts");
    }

    [StoreFact]
    public async Task ADeletedRunsCalls_LeaveTheUsageReport()
    {
        var id = await CreateAsync(Run(crewName: "alpha"));
        await Runs.AppendEventAsync(Call(id, 1, T0, "openai/m1", 10, 1, 0.0001m), null, [], Ct);
        await Runs.AppendEventAsync(
            Event(id, 2, RunEventTypes.TaskCompleted, Output("task_1")),
            new RunUpdate { State = RunState.Completed, CompletedAt = T0, ReleaseLease = true }, [], Ct);
        (await UsageAsync(UsageGrouping.Crew)).ShouldHaveSingleItem();

        (await Runs.DeleteRunAsync(id, Ct)).ShouldBeTrue();

        (await UsageAsync(UsageGrouping.Crew)).ShouldBeEmpty();
    }

    // Run alpha (ann): a priced call on 1 March and an unpriced one on 2 March. Run beta (bob): a priced call on 1 March and
    // one before the window. Other events carry no usage the report could count.
    private async Task StoreUsageSampleAsync()
    {
        var alpha = await CreateAsync(Run(owner: "ann", crewName: "alpha"));
        await Runs.AppendEventsAsync(
        [
            new EventAppend(Event(alpha, 1, RunEventTypes.TaskStarted), null, []),
            new EventAppend(Call(alpha, 2, T0, "openai/m1", 100, 10, 0.001m), null, []),
            new EventAppend(Call(alpha, 3, T0.AddDays(1), "openai/m2", 200, 20, null), null, []),
        ], Ct);
        var beta = await CreateAsync(Run(owner: "bob", crewName: "beta"));
        await Runs.AppendEventAsync(Call(beta, 1, T0.AddDays(-1), "openai/m1", 7_000, 700, 1m), null, [], Ct);
        await Runs.AppendEventAsync(Call(beta, 2, T0.AddMinutes(5), "openai/m1", 50, 5, 0.0005m), null, [], Ct);
    }

    private static RunEvent Call(Guid runId, long sequence, DateTimeOffset at, string model, long prompt, long completion, decimal? cost) => new()
    {
        RunId = runId,
        Sequence = sequence,
        Timestamp = at,
        Data = new LlmCallCompleted("task_1", "Writer", model, new TokenUsage(prompt, completion, 0, 1, cost)),
    };

    private async Task<IReadOnlyList<UsageGroup>> UsageAsync(UsageGrouping groupBy, string? ownerId = null, IReadOnlyList<string>? crews = null) =>
        await Runs.GetUsageAsync(new UsageQuery { From = UsageFrom, To = UsageTo, GroupBy = groupBy, OwnerId = ownerId, Crews = crews }, Ct);
}
