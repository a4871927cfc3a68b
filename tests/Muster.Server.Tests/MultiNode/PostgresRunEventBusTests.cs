using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Muster.Core.Engine;
using Muster.Server.Caching;
using Muster.Server.Execution;
using Muster.Storage;
using Muster.Testing;
using Npgsql;

namespace Muster.Server.Tests.MultiNode;

/// <summary>The LISTEN/NOTIFY bus between two nodes' buses on one database, and how it recovers a dropped connection.</summary>
public sealed class PostgresRunEventBusTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = Eventually.DefaultLimit;
    private readonly List<PostgresRunEventBus> _buses = [];
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
        foreach (var bus in _buses)
        {
            await bus.StopAsync(CancellationToken.None);
            bus.Dispose();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task WakeUpsStopSignalsAndEvents_ReachTheOtherNode()
    {
        var sender = await StartBusAsync();
        var receiver = await StartBusAsync();
        var runId = Guid.NewGuid();
        await using var events = receiver.SubscribeAsync(runId, CancellationToken.None).GetAsyncEnumerator();
        var next = events.MoveNextAsync().AsTask();
        await using var stops = receiver.ReadStopSignalsAsync(CancellationToken.None).GetAsyncEnumerator();

        await sender.PublishAsync(Event(runId, 7), CancellationToken.None);
        await sender.SignalStopAsync(runId, "Stopped by alice at 12:00", CancellationToken.None);
        await sender.WakeSchedulersAsync(CancellationToken.None);

        (await next.WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(7);
        (await stops.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
        stops.Current.ShouldBe(new RunStopSignal(runId, "Stopped by alice at 12:00"));
        await receiver.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
    }

    [PostgresFact]
    public async Task CacheInvalidations_ReachTheOtherNode_AfterTheEverythingOfItsFirstConnect()
    {
        var sender = await StartBusAsync();
        var receiver = await StartBusAsync();
        var runId = Guid.NewGuid();
        await using var invalidations = receiver.ReadInvalidationsAsync(CancellationToken.None).GetAsyncEnumerator();

        await sender.InvalidateAsync(CacheInvalidation.Token("tok_0123456789abcdef"), CancellationToken.None);
        await sender.InvalidateAsync(CacheInvalidation.Run(runId), CancellationToken.None);
        await sender.InvalidateAsync(CacheInvalidation.AllRuns, CancellationToken.None);

        (await ReadAsync(invalidations, 4)).ShouldBe([
            CacheInvalidation.Everything,
            CacheInvalidation.Token("tok_0123456789abcdef"),
            CacheInvalidation.Run(runId),
            CacheInvalidation.AllRuns,
        ]);

        await NotifyAsync(PostgresRunEventBus.InvalidateChannel, "othernode run not-a-guid");
        await NotifyAsync(PostgresRunEventBus.InvalidateChannel, "othernode nonsense");
        await NotifyAsync(PostgresRunEventBus.InvalidateChannel, "othernode all");
        (await ReadAsync(invalidations, 1)).ShouldBe([CacheInvalidation.Everything], "unreadable invalidations are ignored");
    }

    [PostgresFact]
    public async Task ListeningConnectionKilled_ReconnectsAndTellsEveryReaderToLookAgain()
    {
        var bus = await StartBusAsync();
        var runId = Guid.NewGuid();
        await using var events = bus.SubscribeAsync(runId, CancellationToken.None).GetAsyncEnumerator();
        var next = events.MoveNextAsync().AsTask();

        (await _database!.ScalarAsync<bool>(
            "SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'muster-listen' AND datname = current_database()"))
            .ShouldBeTrue("the bus must hold a listening connection");

        // After reconnecting: a nudge (sequence 0) to every subscriber and a wake-up for the scheduler.
        (await next.WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(0);
        await bus.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);

        // And every cache is cleared, once for the first connect and once for the reconnect.
        await using (var invalidations = bus.ReadInvalidationsAsync(CancellationToken.None).GetAsyncEnumerator())
        {
            (await ReadAsync(invalidations, 2)).ShouldBe([CacheInvalidation.Everything, CacheInvalidation.Everything]);
        }

        // And it listens again: a notification from another node arrives.
        await NotifyAsync(PostgresRunEventBus.EventChannel, $"othernode {runId:N} 12");
        (await events.MoveNextAsync().AsTask().WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(12);
    }

    [PostgresFact]
    public async Task WhileTheDatabaseStaysAway_TheListenerTriesAgainAtMostTwoSecondsApart_AndListensOnceItReturns()
    {
        var time = new RecordingTime();
        var bus = await StartBusAsync(time);

        await _database!.SetReachableAsync(false);
        // Each failed attempt waits before the next; advancing the clock by the longest wait allowed lets the next attempt
        // run. (Not by the last recorded wait: the notification sender's own retry waits on the same clock, in any order.)
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            await Eventually.Until(() => time.Waits.Count >= attempt, "the listener stopped trying");
            time.Advance(PostgresRunEventBus.MaxBackoff);
        }

        await Eventually.Until(() => time.Waits.Count >= 7, "the listener stopped trying");
        time.Waits.ShouldAllBe(wait => wait <= TimeSpan.FromSeconds(2), "a database that is back must be found within moments");
        await _database.SetReachableAsync(true);
        time.Advance(PostgresRunEventBus.MaxBackoff);

        // Connected again: the scheduler is woken.
        await bus.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
    }

    [PostgresFact]
    public async Task UnreadableNotifications_AreIgnored()
    {
        var bus = await StartBusAsync();
        var runId = Guid.NewGuid();
        await using var events = bus.SubscribeAsync(runId, CancellationToken.None).GetAsyncEnumerator();
        var next = events.MoveNextAsync().AsTask();

        await NotifyAsync(PostgresRunEventBus.EventChannel, "othernode not-a-guid 3");
        await NotifyAsync(PostgresRunEventBus.EventChannel, $"othernode {runId:N} not-a-number");
        await NotifyAsync(PostgresRunEventBus.StopChannel, "othernode");
        await NotifyAsync(PostgresRunEventBus.EventChannel, $"othernode {runId:N} 4");

        (await next.WaitAsync(Patience)).ShouldBeTrue();
        events.Current.ShouldBe(4);
    }

    /// <summary>
    /// A bus that has connected and listens: its first connect nudges subscribers, then wakes its own scheduler (that
    /// wake-up is consumed here, so later ones come from what the test does).
    /// </summary>
    private async Task<PostgresRunEventBus> StartBusAsync(TimeProvider? time = null)
    {
        var storage = new StorageOptions { Provider = StorageOptions.Postgres, ConnectionString = _database!.ConnectionString };
        var bus = new PostgresRunEventBus(Options.Create(storage), time ?? TimeProvider.System, NullLogger<PostgresRunEventBus>.Instance);
        _buses.Add(bus);
        await bus.StartAsync(CancellationToken.None);
        await bus.WaitForWakeUpAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
        return bus;
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

    /// <summary>A fake clock that records the waits asked of it (the listener's backoffs), in order.</summary>
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
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (_waits)
                {
                    _waits.Add(dueTime);
                }
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
