using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Muster.Core.Engine;
using Muster.Storage;
using Muster.Storage.Notifications;
using Muster.Testing;
using Npgsql;

namespace Muster.Server.Tests.MultiNode;

/// <summary>
/// The notifications of nodes on one PostgreSQL database (LISTEN/NOTIFY), each concern on its own interface, as
/// <c>UsePostgres</c> registers them; and how the listener recovers a dropped connection. The channel names and payloads
/// are pinned: nodes of different versions on one database must understand each other.
/// </summary>
public sealed class PostgresNotificationsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = Eventually.DefaultLimit;
    // The longest wait between two attempts of the listener to connect.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private readonly List<Node> _nodes = [];
    private ThrowawayDatabase? _database;

    public async Task InitializeAsync()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)))
        {
            _database = await ThrowawayDatabase.CreateAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task WakeUpsStopSignalsAndEvents_ReachTheOtherNode()
    {
        var sender = await StartNodeAsync();
        var receiver = await StartNodeAsync();
        var runId = Guid.NewGuid();
        await using var events = receiver.Events.SubscribeAsync(runId, CancellationToken.None).GetAsyncEnumerator();
        var next = events.MoveNextAsync().AsTask();
        await using var stops = receiver.Stops.ReadStopSignalsAsync(CancellationToken.None).GetAsyncEnumerator();

        await sender.Events.PublishAsync(Event(runId, 7), CancellationToken.None);
        await sender.Stops.SignalStopAsync(runId, "Stopped by alice at 12:00", CancellationToken.None);
        await sender.Stops.SignalStopAsync(runId, null, CancellationToken.None);
        await sender.WakeUps.WakeSchedulersAsync(CancellationToken.None);

        (await next.WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(7);
        (await stops.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
        stops.Current.ShouldBe(new RunStopSignal(runId, "Stopped by alice at 12:00"));
        (await stops.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
        stops.Current.ShouldBe(new RunStopSignal(runId, null));
        await receiver.WakeUps.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
    }

    [PostgresFact]
    public async Task EachConcern_TravelsOnItsOwnChannel_WithThePayloadOtherVersionsRead()
    {
        var node = await StartNodeAsync();
        var runId = Guid.NewGuid();
        await using var events = node.Events.SubscribeAsync(runId, CancellationToken.None).GetAsyncEnumerator();
        var next = events.MoveNextAsync().AsTask();
        await using var stops = node.Stops.ReadStopSignalsAsync(CancellationToken.None).GetAsyncEnumerator();
        await using var invalidations = node.Invalidations.ReadInvalidationsAsync(CancellationToken.None).GetAsyncEnumerator();
        (await ReadAsync(invalidations, 1)).ShouldBe([CacheInvalidation.Everything], "the first connect clears every cache");

        await NotifyAsync("muster_event", $"othernode {runId:N} 5");
        await NotifyAsync("muster_stop", $"othernode {runId:N} Stopped by bob at 13:00");
        await NotifyAsync("muster_invalidate", "othernode token tok_0123456789abcdef");
        await NotifyAsync("muster_wake", "othernode");

        (await next.WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(5);
        (await stops.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
        stops.Current.ShouldBe(new RunStopSignal(runId, "Stopped by bob at 13:00"));
        (await ReadAsync(invalidations, 1)).ShouldBe([CacheInvalidation.Token("tok_0123456789abcdef")]);
        await node.WakeUps.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
    }

    [PostgresFact]
    public async Task AProcessThatIsNoNode_TellsEveryNodesCachesToForget()
    {
        var node = await StartNodeAsync();
        await using var invalidations = node.Invalidations.ReadInvalidationsAsync(CancellationToken.None).GetAsyncEnumerator();
        (await ReadAsync(invalidations, 1)).ShouldBe([CacheInvalidation.Everything]);
        await using var cli = new ServiceCollection().AddMusterStorage().UsePostgres(_database!.ConnectionString).Services.BuildServiceProvider();

        var announced = await cli.GetRequiredService<IStoreChangeAnnouncer>().AnnounceAsync(CacheInvalidation.Token("tok_revoked"), CancellationToken.None);

        announced.ShouldBeTrue();
        (await ReadAsync(invalidations, 1)).ShouldBe([CacheInvalidation.Token("tok_revoked")]);
    }

    [PostgresFact]
    public async Task CacheInvalidations_ReachTheOtherNode_AfterTheEverythingOfItsFirstConnect()
    {
        var sender = await StartNodeAsync();
        var receiver = await StartNodeAsync();
        var runId = Guid.NewGuid();
        await using var invalidations = receiver.Invalidations.ReadInvalidationsAsync(CancellationToken.None).GetAsyncEnumerator();

        await sender.Invalidations.InvalidateAsync(CacheInvalidation.Token("tok_0123456789abcdef"), CancellationToken.None);
        await sender.Invalidations.InvalidateAsync(CacheInvalidation.Run(runId), CancellationToken.None);
        await sender.Invalidations.InvalidateAsync(CacheInvalidation.AllRuns, CancellationToken.None);

        (await ReadAsync(invalidations, 4)).ShouldBe([
            CacheInvalidation.Everything,
            CacheInvalidation.Token("tok_0123456789abcdef"),
            CacheInvalidation.Run(runId),
            CacheInvalidation.AllRuns,
        ]);

        await NotifyAsync("muster_invalidate", "othernode run not-a-guid");
        await NotifyAsync("muster_invalidate", "othernode nonsense");
        await NotifyAsync("muster_invalidate", "othernode all");
        (await ReadAsync(invalidations, 1)).ShouldBe([CacheInvalidation.Everything], "unreadable invalidations are ignored");
    }

    [PostgresFact]
    public async Task ListeningConnectionKilled_ReconnectsAndTellsEveryReaderToLookAgain()
    {
        var node = await StartNodeAsync();
        var runId = Guid.NewGuid();
        await using var events = node.Events.SubscribeAsync(runId, CancellationToken.None).GetAsyncEnumerator();
        var next = events.MoveNextAsync().AsTask();

        (await _database!.ScalarAsync<bool>(
            "SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'muster-listen' AND datname = current_database()"))
            .ShouldBeTrue("the node must hold a listening connection");

        // After reconnecting: a nudge (sequence 0) to every subscriber and a wake-up for the scheduler.
        (await next.WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(0);
        await node.WakeUps.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);

        // And every cache is cleared, once for the first connect and once for the reconnect.
        await using (var invalidations = node.Invalidations.ReadInvalidationsAsync(CancellationToken.None).GetAsyncEnumerator())
        {
            (await ReadAsync(invalidations, 2)).ShouldBe([CacheInvalidation.Everything, CacheInvalidation.Everything]);
        }

        // And it listens again: a notification from another node arrives.
        await NotifyAsync("muster_event", $"othernode {runId:N} 12");
        (await events.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(12);
    }

    [PostgresFact]
    public async Task WhileTheDatabaseStaysAway_TheListenerTriesAgainAtMostTwoSecondsApart_AndListensOnceItReturns()
    {
        var time = new RecordingTime();
        var node = await StartNodeAsync(time);

        await _database!.SetReachableAsync(false);
        // Each failed attempt waits before the next; advancing the clock by the longest wait allowed lets the next attempt
        // run. (Not by the last recorded wait: the notification sender's own retry waits on the same clock, in any order.)
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            await Eventually.Until(() => time.Waits.Count >= attempt, "the listener stopped trying");
            time.Advance(MaxBackoff);
        }

        await Eventually.Until(() => time.Waits.Count >= 7, "the listener stopped trying");
        time.Waits.ShouldAllBe(wait => wait <= TimeSpan.FromSeconds(2), "a database that is back must be found within moments");
        await _database.SetReachableAsync(true);
        time.Advance(MaxBackoff);

        // Connected again: the scheduler is woken.
        await node.WakeUps.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
    }

    [PostgresFact]
    public async Task UnreadableNotifications_AreIgnored()
    {
        var node = await StartNodeAsync();
        var runId = Guid.NewGuid();
        await using var events = node.Events.SubscribeAsync(runId, CancellationToken.None).GetAsyncEnumerator();
        var next = events.MoveNextAsync().AsTask();

        await NotifyAsync("muster_event", "othernode not-a-guid 3");
        await NotifyAsync("muster_event", $"othernode {runId:N} not-a-number");
        await NotifyAsync("muster_stop", "othernode");
        await NotifyAsync("muster_event", $"othernode {runId:N} 4");

        (await next.WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(4);
    }

    /// <summary>
    /// A node's notifications, registered as a server registers them, whose listener has connected: its first connect
    /// nudges subscribers, then wakes its own scheduler (that wake-up is consumed here, so later ones come from what the
    /// test does).
    /// </summary>
    private async Task<Node> StartNodeAsync(TimeProvider? time = null)
    {
        var services = new ServiceCollection().AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddMusterStorage().UsePostgres(_database!.ConnectionString);
        var node = new Node(services.BuildServiceProvider());
        _nodes.Add(node);
        foreach (var hosted in node.Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        await node.WakeUps.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
        return node;
    }

    private static async Task<List<CacheInvalidation>> ReadAsync(IAsyncEnumerator<CacheInvalidation> invalidations, int count)
    {
        var received = new List<CacheInvalidation>();
        while (received.Count < count && await invalidations.MoveNextAsync().AsTask().WaitAsync(Patience))
        {
            received.Add(invalidations.Current);
        }

        return received;
    }

    private async Task NotifyAsync(string channel, string payload)
    {
        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteNonQueryAsync();
    }

    private static RunEvent Event(Guid runId, long sequence) => new()
    {
        RunId = runId,
        Sequence = sequence,
        Timestamp = DateTimeOffset.UtcNow,
        Data = new LlmCallStarted("task_1", "Writer", "sim/test-model"),
    };

    /// <summary>One node's notifications, each concern on its own interface.</summary>
    private sealed class Node(ServiceProvider services) : IAsyncDisposable
    {
        public ServiceProvider Services => services;

        public IRunEventSignals Events => services.GetRequiredService<IRunEventSignals>();

        public ISchedulerWakeUps WakeUps => services.GetRequiredService<ISchedulerWakeUps>();

        public IRunStopSignals Stops => services.GetRequiredService<IRunStopSignals>();

        public ICacheInvalidations Invalidations => services.GetRequiredService<ICacheInvalidations>();

        public async ValueTask DisposeAsync()
        {
            foreach (var hosted in services.GetServices<IHostedService>().Reverse())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await services.DisposeAsync();
        }
    }

    /// <summary>
    /// A fake clock that records the waits asked of it (the listener's backoffs), in order. A wait is recorded only once its
    /// timer is set: a test that advances the clock as soon as it sees the wait then always moves that timer. (Recorded
    /// before, an advance could slip in between and leave the timer waiting for an advance that never came: a clean CI run
    /// under load once timed out that way.)
    /// </summary>
    private sealed class RecordingTime : FakeTimeProvider
    {
        private readonly List<TimeSpan> _waits = [];

        public IReadOnlyList<TimeSpan> Waits
        {
            get
            {
                lock (_waits)
                {
                    return [.. _waits];
                }
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (_waits)
                {
                    _waits.Add(dueTime);
                }
            }

            return timer;
        }
    }
}
