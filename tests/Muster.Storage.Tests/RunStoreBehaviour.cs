using Muster.Contracts;
using Microsoft.Extensions.Time.Testing;
using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>
/// A fresh store for one test, seen through the three contracts. <paramref name="AnotherNode"/> opens one more
/// store instance on the same database, as a second node (or process) would; <paramref name="Scalar"/> runs one SQL
/// statement on the database (for what the contracts do not show, such as how much is stored); Cleanup disposes them all.
/// </summary>
public sealed record StoreUnderTest(
    IRunStore Runs, IDeliveryStore Deliveries, ITokenStore Tokens, Func<StoreNode> AnotherNode, Func<string, Task<long>> Scalar, Func<ValueTask> Cleanup);

public sealed record StoreNode(IRunStore Runs, IDeliveryStore Deliveries);

/// <summary>
/// What every run store must do, written against the contracts only. Each provider subclasses it with a
/// factory for a fresh, empty store; every fact then runs against that provider.
/// </summary>
public abstract partial class RunStoreBehaviour : IAsyncLifetime
{
    private StoreUnderTest? _store;

    protected IRunStore Runs => _store!.Runs;
    protected IDeliveryStore Deliveries => _store!.Deliveries;
    protected ITokenStore Tokens => _store!.Tokens;
    protected static CancellationToken Ct => CancellationToken.None;

    protected StoreNode AnotherNode() => _store!.AnotherNode();

    /// <summary>The stores' clock (their <see cref="TimeProvider"/>); it moves only when a test advances it.</summary>
    protected FakeTimeProvider Clock { get; } = new(T0);

    /// <summary>The first column of the first row of <paramref name="sql"/>, as a number (0 for NULL).</summary>
    protected Task<long> ScalarAsync(string sql) => _store!.Scalar(sql);

    /// <summary>A new, empty store (not yet initialized) owned by one test, on <paramref name="time"/>.</summary>
    protected abstract Task<StoreUnderTest> CreateStoreAsync(TimeProvider time);

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync(Clock);
        await Runs.InitializeAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.Cleanup();
        }
    }

    protected async Task<Guid> CreateAsync(NewRun run)
    {
        var result = await Runs.CreateRunAsync(run, Ct);
        result.Outcome.ShouldBe(CreateRunOutcome.Created);
        return result.RunId;
    }

    /// <summary>A run claimed by <c>node-a</c>, with its first <paramref name="events"/> events appended.</summary>
    protected async Task<Guid> CreateRunningAsync(int events = 0, DateTimeOffset? createdAt = null)
    {
        var id = await CreateAsync(Run(createdAt));
        (await Runs.TryClaimRunAsync("node-a", T0, TimeSpan.FromMinutes(5), Ct))!.Id.ShouldBe(id);
        for (var sequence = 1; sequence <= events; sequence++)
        {
            await Runs.AppendEventAsync(Event(id, sequence), null, [], Ct);
        }

        return id;
    }

    /// <summary>A run paused on task_1 awaiting review, its lease given up.</summary>
    protected async Task<Guid> CreateAwaitingHumanAsync()
    {
        var id = await CreateRunningAsync();
        await Runs.AppendEventAsync(
            Event(id, 1, RunEventTypes.TaskAwaitingHuman),
            new RunUpdate { State = RunState.AwaitingHuman, PendingReview = Output("task_1"), ReleaseLease = true }, [], Ct);
        return id;
    }

    protected async Task<Guid> CreateFinishedAsync(DateTimeOffset completedAt, RunState state = RunState.Completed)
    {
        var id = await CreateRunningAsync();
        await Runs.AppendEventAsync(
            Event(id, 1, RunEventTypes.TaskCompleted, Output("task_1")),
            new RunUpdate { State = state, CompletedAt = completedAt, ReleaseLease = true },
            [Delivery(id)], Ct);
        return id;
    }

    [StoreFact]
    public async Task Initialize_RunTwice_KeepsStoredData()
    {
        var id = await CreateAsync(Run());
        await Runs.InitializeAsync(Ct);
        (await Runs.GetRunAsync(id, Ct)).ShouldNotBeNull();
        (await Runs.PingAsync(Ct)).ShouldBeTrue();
    }

    [StoreFact]
    public async Task CreateRun_ThenGetRun_ReturnsEverythingStored()
    {
        var run = Run() with { AdHoc = true };
        await CreateAsync(run);

        var stored = (await Runs.GetRunAsync(run.Id, Ct)).ShouldNotBeNull();
        stored.State.ShouldBe(RunState.Pending);
        stored.CrewName.ShouldBe("research");
        stored.Crew.Tasks.Select(t => t.Name).ShouldBe(["task_1", "task_2"]);
        stored.Crew.Tasks[0].HumanInput.ShouldBeTrue();
        stored.Inputs["topic"]!.GetValue<string>().ShouldBe("owls");
        stored.Meta!["trace"]!.GetValue<string>().ShouldBe("abc");
        stored.OwnerId.ShouldBe("org");
        stored.TokenId.ShouldBe("tok_org");
        stored.CorrelationId.ShouldBe("corr-1");
        stored.AdHoc.ShouldBeTrue();
        stored.TotalTasks.ShouldBe(2);
        stored.CompletedTasks.ShouldBe(0);
        stored.Usage.ShouldBe(TokenUsage.Zero);
        stored.CreatedAt.ShouldBe(T0);
        stored.StartedAt.ShouldBeNull();
        stored.Webhooks.TaskWebhookUrl.ShouldBe("http://127.0.0.1:9/task");
        stored.LastSequence.ShouldBe(0);
        stored.LeaseOwner.ShouldBeNull();
        stored.StopRequested.ShouldBeFalse();
    }

    [StoreFact]
    public async Task GetRun_ForUnknownId_ReturnsNull() =>
        (await Runs.GetRunAsync(Guid.NewGuid(), Ct)).ShouldBeNull();

    [StoreFact]
    public async Task CreateRun_WithSameKeyFromSameToken_ReturnsDuplicateWithFirstId()
    {
        var first = await CreateAsync(Run(idempotencyKey: "k1"));

        var again = await Runs.CreateRunAsync(Run(T0.AddHours(23), idempotencyKey: "k1"), Ct);

        again.ShouldBe(new CreateRunResult(CreateRunOutcome.Duplicate, first));
        (await Runs.ListRunsAsync(new RunQuery(), Ct)).Runs.Count.ShouldBe(1);
    }

    [StoreFact]
    public async Task CreateRun_WithSameKeyFromOtherOwner_CreatesNewRun()
    {
        var first = await CreateAsync(Run(idempotencyKey: "k1"));

        var other = await Runs.CreateRunAsync(Run(tokenId: "tok_user", owner: "alice", idempotencyKey: "k1"), Ct);

        other.Outcome.ShouldBe(CreateRunOutcome.Created);
        other.RunId.ShouldNotBe(first);
    }

    [StoreFact]
    public async Task CreateRun_WithSameKeyAfter24Hours_CreatesNewRun()
    {
        var first = await CreateAsync(Run(idempotencyKey: "k1"));

        var later = await Runs.CreateRunAsync(Run(T0.AddHours(24).AddMilliseconds(1), idempotencyKey: "k1"), Ct);

        later.Outcome.ShouldBe(CreateRunOutcome.Created);
        later.RunId.ShouldNotBe(first);
    }

    [StoreFact]
    public async Task CreateRun_WithSameKeyConcurrently_StoresOneRun()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Runs.CreateRunAsync(Run(idempotencyKey: "race"), Ct)));

        results.Count(r => r.Outcome == CreateRunOutcome.Created).ShouldBe(1);
        results.Select(r => r.RunId).Distinct().Count().ShouldBe(1);
    }
}
