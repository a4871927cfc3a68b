using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Muster.Core.Engine;
using Muster.Server.Caching;
using Muster.Storage;
using Npgsql;

namespace Muster.Server.Execution;

/// <summary>
/// The event bus of several nodes on one PostgreSQL database: LISTEN/NOTIFY. Each node keeps one dedicated
/// connection that listens (reconnecting every second or two when it drops) and hands what arrives to an in-process bus, which
/// this node's scheduler and SSE streams read. Notifications carry ids and sequences only; they are hints, so when the
/// listening connection was down anything may have been missed, and on every (re)connect the scheduler is woken and
/// every subscriber nudged to read the store again, and every cache cleared (an invalidation may have been missed).
/// </summary>
internal sealed partial class PostgresRunEventBus : BackgroundService, IRunEventBus
{
    internal const string WakeChannel = "muster_wake";
    internal const string StopChannel = "muster_stop";
    internal const string EventChannel = "muster_event";
    internal const string InvalidateChannel = "muster_invalidate";

    // NOTIFY refuses payloads of 8000 bytes or more; a stop reason that does not fit is left out (the default message is used).
    private const int MaxPayloadBytes = 7900;
    private const int MaxBatch = 256;
    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    // Small: while the connection is down, other nodes' wake-ups and events arrive only by polling, so once the database
    // answers again the listener must be back within moments, not after a long backoff. An attempt is one cheap connect.
    internal static readonly TimeSpan MaxBackoff = StoreRetry.Longest;
    // A silent connection is checked this often, so a dead one (a network cut without a reset) is noticed.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);

    private readonly InProcessRunEventBus _local = new();
    // Tags this node's notifications, which come back to its own listener and are already delivered locally.
    private readonly string _origin = Guid.NewGuid().ToString("N")[..12];
    private readonly string _listenConnectionString;
    private readonly NpgsqlDataSource _senders;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresRunEventBus> _logger;

    // Sending never holds up the caller (an event append, a kickoff); if the database is unreachable for long, the
    // oldest hints go first, which costs readers at most their own poll or heartbeat.
    private readonly Channel<(string Channel, string Payload)> _outbox = Channel.CreateBounded<(string, string)>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public PostgresRunEventBus(IOptions<StorageOptions> storage, TimeProvider time, ILogger<PostgresRunEventBus> logger)
    {
        var connectionString = storage.Value.ConnectionString;
        // Its own connection, outside any pool (a pooled one would be reset with UNLISTEN) and not multiplexed (LISTEN
        // and Wait need a session to themselves).
        _listenConnectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            Multiplexing = false,
            ApplicationName = "muster-listen",
        }.ConnectionString;
        _senders = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 2, ApplicationName = "muster-notify" }.ConnectionString).Build();
        _time = time;
        _logger = logger;
    }

    public ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        _local.Notify(runEvent.RunId, runEvent.Sequence);
        Send(EventChannel, $"{_origin} {runEvent.RunId:N} {runEvent.Sequence}");
        return ValueTask.CompletedTask;
    }

    public IAsyncEnumerable<long> SubscribeAsync(Guid runId, CancellationToken cancellationToken) =>
        _local.SubscribeAsync(runId, cancellationToken);

    public async ValueTask WakeSchedulersAsync(CancellationToken cancellationToken)
    {
        await _local.WakeSchedulersAsync(cancellationToken);
        Send(WakeChannel, _origin);
    }

    public async ValueTask SignalStopAsync(Guid runId, CancellationToken cancellationToken)
    {
        await _local.SignalStopAsync(runId, cancellationToken);
        Send(StopChannel, $"{_origin} {runId:N}");
    }

    public async ValueTask SignalStopAsync(Guid runId, string reason, CancellationToken cancellationToken)
    {
        await _local.SignalStopAsync(runId, reason, cancellationToken);
        var payload = $"{_origin} {runId:N} {reason}";
        Send(StopChannel, Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes ? payload : $"{_origin} {runId:N}");
    }

    public async ValueTask InvalidateAsync(CacheInvalidation invalidation, CancellationToken cancellationToken)
    {
        await _local.InvalidateAsync(invalidation, cancellationToken);
        if (InvalidationPayload(_origin, invalidation) is { } payload)
        {
            Send(InvalidateChannel, payload);
        }
    }

    /// <summary>
    /// Tells every node listening on the database to forget <paramref name="invalidation"/>, from a process that is no
    /// node (the CLI, changing the store directly): one notification on a connection of its own, sent at once.
    /// </summary>
    public static async Task AnnounceAsync(string connectionString, CacheInvalidation invalidation, CancellationToken cancellationToken)
    {
        // "cli" is no node's origin (theirs are 12 hex digits), so every node applies it.
        if (InvalidationPayload("cli", invalidation) is not { } payload)
        {
            return;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "muster-cli" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = InvalidateChannel });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The notification that carries <paramref name="invalidation"/>; null when it would not fit.</summary>
    private static string? InvalidationPayload(string origin, CacheInvalidation invalidation)
    {
        var payload = invalidation.Kind switch
        {
            CacheInvalidationKind.Token => $"{origin} token {invalidation.Id}",
            CacheInvalidationKind.Run => $"{origin} run {invalidation.Id}",
            CacheInvalidationKind.AllRuns => $"{origin} runs",
            _ => $"{origin} all",
        };

        // Only an id no token or run has is that long (a DELETE of a made-up token id): there is nothing to forget.
        return Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes ? payload : null;
    }

    public IAsyncEnumerable<CacheInvalidation> ReadInvalidationsAsync(CancellationToken cancellationToken) =>
        _local.ReadInvalidationsAsync(cancellationToken);

    public ValueTask WaitForWakeUpAsync(CancellationToken cancellationToken) => _local.WaitForWakeUpAsync(cancellationToken);

    public IAsyncEnumerable<RunStopSignal> ReadStopSignalsAsync(CancellationToken cancellationToken) =>
        _local.ReadStopSignalsAsync(cancellationToken);

    public override void Dispose()
    {
        _senders.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sending = SendLoopAsync(stoppingToken);
        await ListenLoopAsync(stoppingToken);
        await sending;
    }

    private void Send(string channel, string payload) => _outbox.Writer.TryWrite((channel, payload));

    private async Task ListenLoopAsync(CancellationToken stoppingToken)
    {
        var backoff = MinBackoff;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_listenConnectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {WakeChannel}; LISTEN {StopChannel}; LISTEN {EventChannel}; LISTEN {InvalidateChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                LogListening(_logger);
                backoff = MinBackoff;
                failures = 0;
                // Whatever was sent while no connection listened is lost: have every reader look at the store again, and
                // forget every cached token and run, since a revocation or deletion may have been among the lost.
                _local.NudgeSubscribers();
                await _local.WakeSchedulersAsync(stoppingToken);
                await _local.InvalidateAsync(CacheInvalidation.Everything, stoppingToken);
                while (true)
                {
                    if (!await connection.WaitAsync(IdleCheck, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (Exception ex)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    // Shutting down: the connection ends with the node.
                    return;
                }

                // Whatever broke (the server restarted, the network dropped, a failover), the answer is to reconnect. The
                // attempts that fail while the database stays away are not worth a warning each.
                if (++failures == 1)
                {
                    LogListenFailed(_logger, backoff.TotalSeconds, ex);
                }
                else
                {
                    LogListenStillFailing(_logger, failures, ex.Message);
                }
            }

            try
            {
                await Task.Delay(backoff, _time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        var parts = notification.Payload.Split(' ', 3);
        if (parts[0] == _origin)
        {
            return;
        }

        var runId = parts.Length > 1 && Guid.TryParseExact(parts[1], "N", out var id) ? id : (Guid?)null;
        switch (notification.Channel)
        {
            case WakeChannel:
                _ = _local.WakeSchedulersAsync(CancellationToken.None);
                break;
            case StopChannel when runId is { } stopped:
                _ = parts.Length > 2
                    ? _local.SignalStopAsync(stopped, parts[2], CancellationToken.None)
                    : _local.SignalStopAsync(stopped, CancellationToken.None);
                break;
            case EventChannel when runId is { } run && parts.Length > 2 && long.TryParse(parts[2], out var sequence):
                _local.Notify(run, sequence);
                break;
            case InvalidateChannel when ParseInvalidation(parts) is { } invalidation:
                _ = _local.InvalidateAsync(invalidation, CancellationToken.None);
                break;
            default:
                LogUnknownNotification(_logger, notification.Channel);
                break;
        }
    }

    private static CacheInvalidation? ParseInvalidation(string[] parts) => parts switch
    {
        [_, "token", var tokenId] => CacheInvalidation.Token(tokenId),
        [_, "run", var id] when Guid.TryParseExact(id, "N", out var runId) => CacheInvalidation.Run(runId),
        [_, "runs"] => CacheInvalidation.AllRuns,
        [_, "all"] => CacheInvalidation.Everything,
        _ => null,
    };

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        var channels = new List<string>(MaxBatch);
        var payloads = new List<string>(MaxBatch);
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(stoppingToken))
            {
                channels.Clear();
                payloads.Clear();
                while (channels.Count < MaxBatch && _outbox.Reader.TryRead(out var item))
                {
                    channels.Add(item.Channel);
                    payloads.Add(item.Payload);
                }

                try
                {
                    // One round trip for everything queued meanwhile.
                    await using var command = _senders.CreateCommand("SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS n(c, p)");
                    command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. channels] });
                    command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. payloads] });
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Hints only: they are dropped, and the sender carries on with the next ones.
                    LogSendFailed(_logger, channels.Count, ex);
                    await Task.Delay(MinBackoff, _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: unsent hints are dropped; readers on other nodes fall back to the store.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for wake-ups, stop signals, events and cache invalidations of other nodes (PostgreSQL LISTEN)")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL LISTEN connection failed; reconnecting in {Seconds} s (meanwhile other nodes' signals arrive by polling only)")]
    private static partial void LogListenFailed(ILogger logger, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The PostgreSQL LISTEN connection failed again (attempt {Attempt}): {Reason}")]
    private static partial void LogListenStillFailing(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {Count} notifications to other nodes failed; they fall back to polling")]
    private static partial void LogSendFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored a notification on channel {Channel} that this node does not understand")]
    private static partial void LogUnknownNotification(ILogger logger, string channel);
}
