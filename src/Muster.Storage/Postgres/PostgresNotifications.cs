using Muster.Core.Engine;
using Muster.Storage.Notifications;
using Npgsql;

namespace Muster.Storage.Postgres;

// Each kind of notification is delivered on this node at once, through its in-process counterpart, and sent to the other
// nodes on its own channel. Payloads carry ids and sequences only, after the sending node's origin tag; the channel
// names and payloads are what nodes of different versions on one database must agree on.

/// <summary>Event signals across nodes: <c>muster_event</c>, payload <c>origin run-id sequence</c>.</summary>
internal sealed class PostgresRunEventSignals(PostgresNotificationSender sender) : IRunEventSignals, IPostgresChannel
{
    private readonly InProcessRunEventSignals _local = new();

    public string Name => "muster_event";

    public ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        _local.Notify(runEvent.RunId, runEvent.Sequence);
        sender.Send(Name, $"{sender.Origin} {runEvent.RunId:N} {runEvent.Sequence}");
        return ValueTask.CompletedTask;
    }

    public IAsyncEnumerable<long> SubscribeAsync(Guid runId, CancellationToken cancellationToken) => _local.SubscribeAsync(runId, cancellationToken);

    public bool Receive(string[] parts)
    {
        if (parts is [_, var id, var number] && Guid.TryParseExact(id, "N", out var runId) && long.TryParse(number, out var sequence))
        {
            _local.Notify(runId, sequence);
            return true;
        }

        return false;
    }

    public ValueTask ListeningAgainAsync(CancellationToken cancellationToken)
    {
        _local.NudgeSubscribers();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Scheduler wake-ups across nodes: <c>muster_wake</c>, payload <c>origin</c>.</summary>
internal sealed class PostgresSchedulerWakeUps(PostgresNotificationSender sender) : ISchedulerWakeUps, IPostgresChannel
{
    private readonly InProcessSchedulerWakeUps _local = new();

    public string Name => "muster_wake";

    public async ValueTask WakeSchedulersAsync(CancellationToken cancellationToken)
    {
        await _local.WakeSchedulersAsync(cancellationToken);
        sender.Send(Name, sender.Origin);
    }

    public ValueTask WaitForWakeUpAsync(CancellationToken cancellationToken) => _local.WaitForWakeUpAsync(cancellationToken);

    public bool Receive(string[] parts)
    {
        _ = _local.WakeSchedulersAsync(CancellationToken.None);
        return true;
    }

    public ValueTask ListeningAgainAsync(CancellationToken cancellationToken) => _local.WakeSchedulersAsync(cancellationToken);
}

/// <summary>Stop signals across nodes: <c>muster_stop</c>, payload <c>origin run-id [reason]</c>.</summary>
internal sealed class PostgresStopSignals(PostgresNotificationSender sender) : IRunStopSignals, IPostgresChannel
{
    private readonly InProcessStopSignals _local = new();

    public string Name => "muster_stop";

    public async ValueTask SignalStopAsync(Guid runId, string? reason, CancellationToken cancellationToken)
    {
        await _local.SignalStopAsync(runId, reason, cancellationToken);
        var bare = $"{sender.Origin} {runId:N}";
        // A reason that does not fit is left out: the node that stops the run then uses the default message.
        sender.Send(Name, reason is not null && PostgresNotificationSender.Fits($"{bare} {reason}") ? $"{bare} {reason}" : bare);
    }

    public IAsyncEnumerable<RunStopSignal> ReadStopSignalsAsync(CancellationToken cancellationToken) => _local.ReadStopSignalsAsync(cancellationToken);

    public bool Receive(string[] parts)
    {
        if (parts.Length < 2 || !Guid.TryParseExact(parts[1], "N", out var runId))
        {
            return false;
        }

        _ = _local.SignalStopAsync(runId, parts.Length > 2 ? parts[2] : null, CancellationToken.None);
        return true;
    }

    // A missed stop signal is not lost: the run's row says a stop was asked for, which the executing node reads at its next
    // heartbeat.
    public ValueTask ListeningAgainAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// Cache invalidations across nodes: <c>muster_invalidate</c>, payload <c>origin token id</c>, <c>origin run run-id</c>,
/// <c>origin runs</c> or <c>origin all</c>.
/// </summary>
internal sealed class PostgresCacheInvalidations(PostgresNotificationSender sender) : ICacheInvalidations, IPostgresChannel
{
    public const string Channel = "muster_invalidate";

    private readonly InProcessCacheInvalidations _local = new();

    public string Name => Channel;

    public async ValueTask InvalidateAsync(CacheInvalidation invalidation, CancellationToken cancellationToken)
    {
        await _local.InvalidateAsync(invalidation, cancellationToken);
        if (Payload(sender.Origin, invalidation) is { } payload)
        {
            sender.Send(Name, payload);
        }
    }

    public IAsyncEnumerable<CacheInvalidation> ReadInvalidationsAsync(CancellationToken cancellationToken) => _local.ReadInvalidationsAsync(cancellationToken);

    public bool Receive(string[] parts)
    {
        CacheInvalidation? invalidation = parts switch
        {
            [_, "token", var tokenId] => CacheInvalidation.Token(tokenId),
            [_, "run", var id] when Guid.TryParseExact(id, "N", out var runId) => CacheInvalidation.Run(runId),
            [_, "runs"] => CacheInvalidation.AllRuns,
            [_, "all"] => CacheInvalidation.Everything,
            _ => null,
        };
        if (invalidation is null)
        {
            return false;
        }

        _ = _local.InvalidateAsync(invalidation, CancellationToken.None);
        return true;
    }

    // An invalidation may have been among what was missed: forget every cached token and run.
    public ValueTask ListeningAgainAsync(CancellationToken cancellationToken) => _local.InvalidateAsync(CacheInvalidation.Everything, cancellationToken);

    /// <summary>The notification that carries <paramref name="invalidation"/>; null when it would not fit.</summary>
    public static string? Payload(string origin, CacheInvalidation invalidation)
    {
        var payload = invalidation.Kind switch
        {
            CacheInvalidationKind.Token => $"{origin} token {invalidation.Id}",
            CacheInvalidationKind.Run => $"{origin} run {invalidation.Id}",
            CacheInvalidationKind.AllRuns => $"{origin} runs",
            _ => $"{origin} all",
        };

        // Only an id no token or run has is that long (a DELETE of a made-up token id): there is nothing to forget.
        return PostgresNotificationSender.Fits(payload) ? payload : null;
    }
}

/// <summary>
/// Tells every node listening on the database to forget a change, from a process that is no node (the CLI, changing the
/// store directly): one notification on a connection of its own, sent at once.
/// </summary>
internal sealed class PostgresStoreChangeAnnouncer(Microsoft.Extensions.Options.IOptions<StorageOptions> storage) : IStoreChangeAnnouncer
{
    public async ValueTask<bool> AnnounceAsync(CacheInvalidation invalidation, CancellationToken cancellationToken)
    {
        // "cli" is no node's origin (theirs are 12 hex digits), so every node applies it.
        if (PostgresCacheInvalidations.Payload("cli", invalidation) is not { } payload)
        {
            return true;
        }

        var builder = new NpgsqlConnectionStringBuilder(storage.Value.ConnectionString) { Pooling = false, ApplicationName = "muster-cli" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PostgresCacheInvalidations.Channel });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }
}
