using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Muster.Storage.Postgres;

/// <summary>
/// Sends this node's notifications to the other nodes (<c>pg_notify</c>), in batches, from a background loop: sending
/// never holds up the caller (an event append, a kickoff). Notifications are hints; when the database is unreachable
/// they are dropped, which costs the other nodes at most their own poll or heartbeat.
/// </summary>
internal sealed partial class PostgresNotificationSender : BackgroundService
{
    // NOTIFY refuses payloads of 8000 bytes or more.
    private const int MaxPayloadBytes = 7900;
    private const int MaxBatch = 256;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _senders;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresNotificationSender> _logger;

    // If the database is unreachable for long, the oldest hints go first.
    private readonly Channel<(string Channel, string Payload)> _outbox = Channel.CreateBounded<(string, string)>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public PostgresNotificationSender(IOptions<StorageOptions> storage, TimeProvider time, ILogger<PostgresNotificationSender> logger)
    {
        _senders = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(storage.Value.ConnectionString) { MaxPoolSize = 2, ApplicationName = "muster-notify" }.ConnectionString).Build();
        _time = time;
        _logger = logger;
    }

    /// <summary>Tags this node's notifications, which come back to its own listener and are already delivered locally.</summary>
    public string Origin { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>True when <paramref name="payload"/> is small enough for NOTIFY.</summary>
    public static bool Fits(string payload) => Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes;

    /// <summary>Queues <paramref name="payload"/> (which starts with <see cref="Origin"/>) for <paramref name="channel"/>.</summary>
    public void Send(string channel, string payload) => _outbox.Writer.TryWrite((channel, payload));

    public override void Dispose()
    {
        _senders.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
                    await Task.Delay(RetryDelay, _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: unsent hints are dropped; readers on other nodes fall back to the store.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {Count} notifications to other nodes failed; they fall back to polling")]
    private static partial void LogSendFailed(ILogger logger, int count, Exception exception);
}
