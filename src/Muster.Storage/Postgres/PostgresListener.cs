using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Muster.Storage.Postgres;

/// <summary>
/// One kind of notification that crosses nodes, on its own PostgreSQL channel: what to do with one from another node,
/// and what to do when some may have been missed.
/// </summary>
internal interface IPostgresChannel
{
    /// <summary>The LISTEN/NOTIFY channel.</summary>
    string Name { get; }

    /// <summary>
    /// Hands on a notification from another node: its payload split at the first two spaces (the sender's origin first).
    /// False when the payload is not one this channel understands.
    /// </summary>
    bool Receive(string[] parts);

    /// <summary>The listening connection was (re)established: whatever was sent while no connection listened is lost.</summary>
    ValueTask ListeningAgainAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Listens for the other nodes' notifications on one dedicated connection, reconnecting every second or two when it
/// drops, and hands each to its channel. Notifications are hints: on every (re)connect each channel is told that some may
/// have been missed (subscribers read the store again, the scheduler looks for work, caches are cleared).
/// </summary>
internal sealed partial class PostgresListener(
    IEnumerable<IPostgresChannel> channels,
    PostgresNotificationSender sender,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<PostgresListener> logger) : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);

    // Small (the server's longest store retry): while the connection is down, other nodes' wake-ups and events arrive only
    // by polling, so once the database answers again the listener must be back within moments, not after a long backoff.
    // An attempt is one cheap connect.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    // A silent connection is checked this often, so a dead one (a network cut without a reset) is noticed.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<IPostgresChannel> _channels = [.. channels];

    // Its own connection, outside any pool (a pooled one would be reset with UNLISTEN) and not multiplexed (LISTEN and Wait
    // need a session to themselves).
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(storage.Value.ConnectionString)
    {
        Pooling = false,
        Multiplexing = false,
        ApplicationName = "muster-listen",
    }.ConnectionString;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listen = string.Join("; ", _channels.Select(channel => $"LISTEN {channel.Name}"));
        var backoff = MinBackoff;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(stoppingToken);
                await using (var command = new NpgsqlCommand(listen, connection))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }

                LogListening(logger);
                backoff = MinBackoff;
                failures = 0;
                foreach (var channel in _channels)
                {
                    await channel.ListeningAgainAsync(stoppingToken);
                }

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
                    LogListenFailed(logger, backoff.TotalSeconds, ex);
                }
                else
                {
                    LogListenStillFailing(logger, failures, ex.Message);
                }
            }

            try
            {
                await Task.Delay(backoff, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private void OnNotification(object? source, NpgsqlNotificationEventArgs notification)
    {
        var parts = notification.Payload.Split(' ', 3);
        if (parts[0] == sender.Origin)
        {
            return;
        }

        var channel = _channels.FirstOrDefault(c => c.Name == notification.Channel);
        if (channel is null || !channel.Receive(parts))
        {
            LogUnknownNotification(logger, notification.Channel);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for wake-ups, stop signals, events and cache invalidations of other nodes (PostgreSQL LISTEN)")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL LISTEN connection failed; reconnecting in {Seconds} s (meanwhile other nodes' signals arrive by polling only)")]
    private static partial void LogListenFailed(ILogger logger, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The PostgreSQL LISTEN connection failed again (attempt {Attempt}): {Reason}")]
    private static partial void LogListenStillFailing(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored a notification on channel {Channel} that this node does not understand")]
    private static partial void LogUnknownNotification(ILogger logger, string channel);
}
