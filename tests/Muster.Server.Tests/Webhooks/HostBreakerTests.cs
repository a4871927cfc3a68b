using Microsoft.Extensions.Time.Testing;
using Muster.Server.Webhooks;

namespace Muster.Server.Tests.Webhooks;

public sealed class HostBreakerTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly HostBreaker _breaker;

    public HostBreakerTests() =>
        _breaker = new HostBreaker(new WebhookOptions { HostFailuresBeforePause = 3, BaseRetryDelay = Base, MaxRetryDelay = TimeSpan.FromMinutes(1) }, _time);

    [Fact]
    public void Failures_FewerThanTheThreshold_PauseNothing()
    {
        _breaker.Failed("slow.example").ShouldBeNull();
        _breaker.Failed("slow.example").ShouldBeNull();

        _breaker.Paused().ShouldBeEmpty();
    }

    [Fact]
    public void Failures_ReachingTheThreshold_PauseThatHostOnlyForAboutTheBaseDelay()
    {
        FailTimes("slow.example", 2);
        _breaker.Failed("other.example");

        var until = _breaker.Failed("slow.example").ShouldNotBeNull();

        (until - _time.GetUtcNow()).ShouldBeInRange(Base / 2, Base);
        _breaker.Paused().ShouldBe(["slow.example"]);
        _time.SetUtcNow(until);
        _breaker.Paused().ShouldBeEmpty();
    }

    [Fact]
    public void AFailureAfterAPauseEnds_PausesTheHostAgainForLonger()
    {
        var first = FailTimes("slow.example", 3).ShouldNotBeNull();
        _time.SetUtcNow(first);

        var second = _breaker.Failed("slow.example").ShouldNotBeNull();

        (second - first).ShouldBeInRange(Base, 2 * Base);
    }

    [Fact]
    public void AFailureWhilePaused_DoesNotLengthenThePause()
    {
        var until = FailTimes("slow.example", 3).ShouldNotBeNull();

        _breaker.Failed("slow.example").ShouldBeNull();

        _time.SetUtcNow(until);
        _breaker.Paused().ShouldBeEmpty();
    }

    [Fact]
    public void ASuccess_ClearsTheHostsFailures()
    {
        FailTimes("slow.example", 2);

        _breaker.Succeeded("slow.example");

        FailTimes("slow.example", 2).ShouldBeNull();
        _breaker.Paused().ShouldBeEmpty();
    }

    [Fact]
    public void AHostQuietForLong_IsForgotten_SoItsNextFailuresCountFromZero()
    {
        FailTimes("slow.example", 2);
        _time.Advance(TimeSpan.FromMinutes(3));

        _breaker.Paused().ShouldBeEmpty();

        _breaker.Failed("slow.example").ShouldBeNull();
    }

    private DateTimeOffset? FailTimes(string host, int times)
    {
        DateTimeOffset? until = null;
        for (var i = 0; i < times; i++)
        {
            until = _breaker.Failed(host);
        }

        return until;
    }
}
