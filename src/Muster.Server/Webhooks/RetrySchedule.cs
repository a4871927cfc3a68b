using System.Net.Http.Headers;

namespace Muster.Server.Webhooks;

/// <summary>When to try a failed delivery again: exponential backoff with jitter, or the receiver's Retry-After.</summary>
internal static class RetrySchedule
{
    /// <summary>
    /// The delay before attempt <paramref name="attemptsSoFar"/> + 1: base × 2^(n−1), capped, then "equal jitter"
    /// (half fixed, half random) so receivers recovering from an outage are not hit by every sender at once.
    /// </summary>
    public static TimeSpan Backoff(int attemptsSoFar, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exponent = Math.Clamp(attemptsSoFar - 1, 0, 30);
        var ticks = Math.Min(baseDelay.Ticks * Math.Pow(2, exponent), maxDelay.Ticks);
        return TimeSpan.FromTicks((long)((ticks / 2) + (ticks / 2 * random)));
    }

    /// <summary>The receiver's requested delay, from seconds or an HTTP date; null when absent or in the past.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        var delay = header?.Delta ?? (header?.Date is { } date ? date - now : null);
        return delay > TimeSpan.Zero ? delay : null;
    }

    /// <summary>
    /// The next attempt, or null when the retry period is over. A last attempt is made at the deadline itself,
    /// so a long Retry-After does not end a delivery early.
    /// </summary>
    public static DateTimeOffset? NextAttempt(DateTimeOffset createdAt, TimeSpan retryPeriod, DateTimeOffset now, TimeSpan delay)
    {
        var deadline = createdAt + retryPeriod;
        if (now >= deadline)
        {
            return null;
        }

        var next = now + delay;
        return next < deadline ? next : deadline;
    }
}
