using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Muster.Server.Caching;
using Muster.Server.CrewRuns;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Storage;
using Muster.Storage.Notifications;
using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

public sealed class RetentionServiceTests
{
    private static readonly TimeSpan Patience = Eventually.DefaultLimit;

    private readonly RecordingCacheInvalidations _invalidations = new();

    /// <summary>The run service over <paramref name="store"/>, whose purges clear the caches and announce it on <see cref="_invalidations"/>.</summary>
    private RunService Runs(FakeRunStore store) => FakeRunStore.Runs(store, new FakeRunEventSignals(), _invalidations);

    private static Task WaitForPurgesAsync(FakeRunStore store, int count) =>
        Eventually.Until(() => store.PurgeCutoffs.Count >= count, $"the store never saw {count} purges");

    [Fact]
    public async Task Retention_WithDays_PurgesAtStartAndOnEveryInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var store = new FakeRunStore { OnPurge = _ => 2 };
        var options = Options.Create(new RetentionOptions { Days = 7, Interval = TimeSpan.FromHours(1) });
        using var service = new RetentionService(Runs(store), options, time, NullLogger<RetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await WaitForPurgesAsync(store, 1);
        time.Advance(TimeSpan.FromHours(1));
        await WaitForPurgesAsync(store, 2);
        await service.StopAsync(CancellationToken.None);

        store.PurgeCutoffs.ShouldBe([
            new DateTimeOffset(2026, 3, 3, 12, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 3, 13, 0, 0, TimeSpan.Zero),
        ]);
        _invalidations.Invalidations.ToArray().ShouldBe([CacheInvalidation.AllRuns, CacheInvalidation.AllRuns], "every purge that deleted runs tells every node's cache");
    }

    [Fact]
    public async Task Retention_WithoutDays_NeverPurges()
    {
        var time = new FakeTimeProvider();
        var store = new FakeRunStore();
        using var service = new RetentionService(Runs(store), Options.Create(new RetentionOptions()), time, NullLogger<RetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(30));
        await service.ExecuteTask!.WaitAsync(Patience);

        store.PurgeCutoffs.ShouldBeEmpty();
    }

    [Fact]
    public async Task Retention_WhenPurgeFails_KeepsRunning()
    {
        var time = new FakeTimeProvider();
        var calls = 0;
        var store = new FakeRunStore { OnPurge = _ => ++calls == 1 ? throw new InvalidOperationException("store down") : 1 };
        var options = Options.Create(new RetentionOptions { Days = 1, Interval = TimeSpan.FromMinutes(5) });
        using var service = new RetentionService(Runs(store), options, time, NullLogger<RetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await WaitForPurgesAsync(store, 1);
        time.Advance(TimeSpan.FromMinutes(5));
        await WaitForPurgesAsync(store, 2);
        await service.StopAsync(CancellationToken.None);

        service.ExecuteTask!.IsFaulted.ShouldBeFalse();
    }
}
