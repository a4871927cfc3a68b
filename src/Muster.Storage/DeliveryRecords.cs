namespace Muster.Storage;

/// <summary>A webhook owed by a state change, stored in the same transaction (the outbox).</summary>
public sealed record NewDelivery
{
    public required Guid Id { get; init; }
    public required Guid RunId { get; init; }
    public required string Url { get; init; }
    /// <summary>
    /// <c>step</c>, <c>task</c>, <c>crew</c>, <c>human_input</c>, <c>events</c> (one event of a batched stream)
    /// or <c>event</c> (one event of a realtime stream, sent alone).
    /// </summary>
    public required string Kind { get; init; }
    /// <summary>The JSON body (for <c>events</c> deliveries: one event, batched at send time).</summary>
    public required string Payload { get; init; }
    /// <summary>Serialized <see cref="Muster.Contracts.Amp.WebhookAuthentication"/>, if any.</summary>
    public string? Authentication { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

public enum DeliveryState
{
    Pending,
    Delivered,
    /// <summary>Retries ran out (the retry period passed).</summary>
    Failed,
}

/// <summary>One delivery with its attempts so far.</summary>
public sealed record DeliveryRecord
{
    public required Guid Id { get; init; }
    public required Guid RunId { get; init; }
    /// <summary>Order of creation across the whole store; per (run, url) deliveries go out in this order.</summary>
    public required long Position { get; init; }
    public required string Url { get; init; }
    /// <summary>
    /// The URL's host in lower case (<see cref="DeliveryHosts.Of"/>): what the dispatcher's fairness counts by. Deliveries
    /// still pending from before the column existed carry their whole URL here.
    /// </summary>
    public required string Host { get; init; }
    public required string Kind { get; init; }
    public required string Payload { get; init; }
    public string? Authentication { get; init; }
    public required DeliveryState State { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset NextAttemptAt { get; init; }
    public int AttemptCount { get; init; }
    public IReadOnlyList<DeliveryAttempt> Attempts { get; init; } = [];
}

public sealed record DeliveryAttempt(DateTimeOffset AttemptedAt, int? StatusCode, string? Error);

/// <summary>What <see cref="IDeliveryStore.ClaimDueDeliveriesAsync"/> is asked for.</summary>
public sealed record DeliveryClaim
{
    /// <summary>The dispatcher that will own the claimed queues until <see cref="Now"/> + <see cref="Lease"/>.</summary>
    public required string NodeId { get; init; }
    public required DateTimeOffset Now { get; init; }
    public required TimeSpan Lease { get; init; }
    /// <summary>The most (run, url) queues this claim takes.</summary>
    public required int MaxQueues { get; init; }
    /// <summary>
    /// The most queues of one host being sent at once, counting those already leased by any dispatcher, so one host
    /// that answers slowly (or never) holds at most this many of a dispatcher's slots.
    /// </summary>
    public required int MaxQueuesPerHost { get; init; }
    /// <summary>Hosts not to claim for now (the dispatcher's breaker holds them after repeated failures).</summary>
    public IReadOnlyCollection<string> PausedHosts { get; init; } = [];
    /// <summary>
    /// Where the round of hosts resumes: hosts are visited in name order starting after this one (wrapping around), so
    /// that with more hosts than slots every host gets its turn. Pass the last host to get its first batch in the previous claim.
    /// </summary>
    public string? StartAfterHost { get; init; }
}

/// <summary>The host a delivery's URL names, as the outbox groups deliveries by it.</summary>
public static class DeliveryHosts
{
    /// <summary>The URL's host in lower case (IDN names in their ASCII form); the URL itself when it has no host.</summary>
    public static string Of(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IdnHost.Length > 0 ? uri.IdnHost.ToLowerInvariant() : url;
}
