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
