using System.ComponentModel.DataAnnotations;

namespace Muster.Server.Webhooks;

/// <summary><c>Muster:Webhooks</c>: signing, SSRF policy, and how the dispatcher sends and retries.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Muster:Webhooks";

    /// <summary>HMAC-SHA256 key for <c>Muster-Signature</c>. A random one is generated at start when unset.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>Allows destinations on loopback, private and link-local networks (tests, local development).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Timeout of one delivery attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long deliveries are retried after they were created before they are given up as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "30.00:00:00")]
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first retry delay; each further retry doubles it, up to <see cref="MaxRetryDelay"/>, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the dispatcher looks for due deliveries when it found none.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many (run, URL) queues one dispatcher sends at once.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentQueues { get; set; } = 32;

    /// <summary>
    /// How many queues to one host are sent at once, counted across every node sharing the store, so a host that answers
    /// slowly or never holds only this many of the slots and the others keep flowing.
    /// </summary>
    [Range(1, 1000)]
    public int MaxConcurrentQueuesPerHost { get; set; } = 8;

    /// <summary>
    /// After this many failed attempts in a row to one host (timeouts, refused connections, error answers), this node
    /// pauses the host: none of its webhooks is sent until the pause ends, and each pause that ends in another failure
    /// doubles the next (from <see cref="BaseRetryDelay"/> up to <see cref="MaxRetryDelay"/>).
    /// </summary>
    [Range(1, 10_000)]
    public int HostFailuresBeforePause { get; set; } = 5;

    /// <summary>How long a claimed queue stays with this node before another may take it (covers a crash mid-send).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(1);
}
