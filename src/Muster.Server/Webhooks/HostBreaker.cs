namespace Muster.Server.Webhooks;

/// <summary>
/// This node's view of which webhook hosts keep failing. After <see cref="WebhookOptions.HostFailuresBeforePause"/> failed
/// attempts in a row a host is paused (the dispatcher claims none of its queues) for a backoff that doubles with each pause
/// ending in another failure; one delivered webhook clears the host. Nothing is dropped: paused deliveries stay pending and
/// go out, in order, once the pause is over. Kept in memory per node: a restart or another node starts from trust.
/// </summary>
internal sealed class HostBreaker(WebhookOptions options, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HostHealth> _hosts = new(StringComparer.Ordinal);

    /// <summary>A delivery to <paramref name="host"/> was accepted: it is healthy again.</summary>
    public void Succeeded(string host)
    {
        lock (_gate)
        {
            _hosts.Remove(host);
        }
    }

    /// <summary>An attempt to <paramref name="host"/> failed; returns the end of the pause when this failure starts one.</summary>
    public DateTimeOffset? Failed(string host)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!_hosts.TryGetValue(host, out var health))
            {
                _hosts[host] = health = new HostHealth();
            }

            health.Failures++;
            health.LastFailure = now;
            // A send that was already in flight when the host was paused does not lengthen the pause.
            if (health.Failures < options.HostFailuresBeforePause || health.PausedUntil > now)
            {
                return null;
            }

            health.Pauses++;
            health.PausedUntil = now + RetrySchedule.Backoff(health.Pauses, options.BaseRetryDelay, options.MaxRetryDelay, Random.Shared.NextDouble());
            return health.PausedUntil;
        }
    }

    /// <summary>The hosts paused now.</summary>
    public IReadOnlyCollection<string> Paused()
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_hosts.Count == 0)
            {
                return [];
            }

            // A host with webhooks left is tried again within a pause plus a delivery's backoff (each at most MaxRetryDelay),
            // so one quiet for longer has most likely nothing left to send: forget it rather than keep every host that
            // ever failed. (Forgetting early only means its next failures count from zero.)
            var forgetBefore = now - (2 * options.MaxRetryDelay);
            var paused = new List<string>();
            foreach (var (host, health) in _hosts)
            {
                if (health.PausedUntil > now)
                {
                    paused.Add(host);
                }
                else if (health.LastFailure < forgetBefore)
                {
                    _hosts.Remove(host);
                }
            }

            return paused;
        }
    }

    private sealed class HostHealth
    {
        public int Failures { get; set; }

        public int Pauses { get; set; }

        public DateTimeOffset LastFailure { get; set; }

        public DateTimeOffset PausedUntil { get; set; }
    }
}
