using Microsoft.Extensions.DependencyInjection;
using Muster.Core.Engine;
using Muster.Storage.Notifications;

namespace Muster.Storage.Tests.Notifications;

/// <summary>The notifications of one node (SQLite), each concern on its own interface, as UseSqlite registers them.</summary>
public sealed class InProcessNotificationsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddMusterStorage().UseSqlite("Data Source=unused.db").Services
        .BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void UseSqlite_RegistersEachConcernInProcess_AndNoOtherProcessCanBeTold()
    {
        _services.GetRequiredService<IRunEventSignals>().ShouldBeOfType<InProcessRunEventSignals>();
        _services.GetRequiredService<ISchedulerWakeUps>().ShouldBeOfType<InProcessSchedulerWakeUps>();
        _services.GetRequiredService<IRunStopSignals>().ShouldBeOfType<InProcessStopSignals>();
        _services.GetRequiredService<ICacheInvalidations>().ShouldBeOfType<InProcessCacheInvalidations>();
        _services.GetRequiredService<StorageTopology>().SharedByNodes.ShouldBeFalse();
    }

    [Fact]
    public async Task AnAnnouncementFromAnotherProcess_CannotReachTheNodes()
    {
        var announced = await _services.GetRequiredService<IStoreChangeAnnouncer>().AnnounceAsync(CacheInvalidation.Token("tok_1"), CancellationToken.None);

        announced.ShouldBeFalse();
    }

    [Fact]
    public async Task EventSignals_ReachTheSubscribersOfThatRunOnly()
    {
        var signals = _services.GetRequiredService<IRunEventSignals>();
        var runId = Guid.NewGuid();
        using var leave = new CancellationTokenSource();
        await using var mine = signals.SubscribeAsync(runId, CancellationToken.None).GetAsyncEnumerator();
        await using var other = signals.SubscribeAsync(Guid.NewGuid(), leave.Token).GetAsyncEnumerator();
        var next = mine.MoveNextAsync().AsTask();
        var otherNext = other.MoveNextAsync().AsTask();

        await signals.PublishAsync(Event(runId, 7), CancellationToken.None);

        (await next.WaitAsync(Patience)).ShouldBeTrue();
        mine.Current.ShouldBe(7);
        otherNext.IsCompleted.ShouldBeFalse("a signal is for the subscribers of its own run");
        await leave.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => otherNext.WaitAsync(Patience));
    }

    [Fact]
    public async Task WakeUps_Coalesce_IntoOneWaitThatCompletes()
    {
        var wakeUps = _services.GetRequiredService<ISchedulerWakeUps>();

        await wakeUps.WakeSchedulersAsync(CancellationToken.None);
        await wakeUps.WakeSchedulersAsync(CancellationToken.None);

        await wakeUps.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
        wakeUps.WaitForWakeUpAsync(CancellationToken.None).IsCompleted.ShouldBeFalse("two wake-ups before a wait are one");
    }

    [Fact]
    public async Task StopSignals_ReachTheReader_WithTheirReasons()
    {
        var stops = _services.GetRequiredService<IRunStopSignals>();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await using var reader = stops.ReadStopSignalsAsync(CancellationToken.None).GetAsyncEnumerator();

        await stops.SignalStopAsync(first, "Stopped by alice at 12:00", CancellationToken.None);
        await stops.SignalStopAsync(second, null, CancellationToken.None);

        (await reader.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
        reader.Current.ShouldBe(new RunStopSignal(first, "Stopped by alice at 12:00"));
        (await reader.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
        reader.Current.ShouldBe(new RunStopSignal(second, null));
    }

    [Fact]
    public async Task Invalidations_ReachThisNodesReader_InOrder()
    {
        var invalidations = _services.GetRequiredService<ICacheInvalidations>();
        var runId = Guid.NewGuid();
        await using var reader = invalidations.ReadInvalidationsAsync(CancellationToken.None).GetAsyncEnumerator();

        await invalidations.InvalidateAsync(CacheInvalidation.Token("tok_1"), CancellationToken.None);
        await invalidations.InvalidateAsync(CacheInvalidation.Run(runId), CancellationToken.None);
        await invalidations.InvalidateAsync(CacheInvalidation.AllRuns, CancellationToken.None);

        var received = new List<CacheInvalidation>();
        for (var i = 0; i < 3; i++)
        {
            (await reader.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
            received.Add(reader.Current);
        }

        received.ShouldBe([CacheInvalidation.Token("tok_1"), CacheInvalidation.Run(runId), CacheInvalidation.AllRuns]);
    }

    private static RunEvent Event(Guid runId, long sequence) => new()
    {
        RunId = runId,
        Sequence = sequence,
        Timestamp = DateTimeOffset.UtcNow,
        Data = new LlmCallStarted("task_1", "Writer", "sim/test-model"),
    };
}
