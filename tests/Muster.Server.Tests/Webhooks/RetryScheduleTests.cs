using System.Net.Http.Headers;
using Muster.Server.Webhooks;

namespace Muster.Server.Tests.Webhooks;

public sealed class RetryScheduleTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(30);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(5, 80)]
    public void Backoff_DoublesWithEachAttempt_BetweenHalfAndFullDelay(int attempts, int fullSeconds)
    {
        RetrySchedule.Backoff(attempts, Base, Max, random: 0).ShouldBe(TimeSpan.FromSeconds(fullSeconds / 2.0));
        RetrySchedule.Backoff(attempts, Base, Max, random: 1).ShouldBe(TimeSpan.FromSeconds(fullSeconds));
    }

    [Fact]
    public void Backoff_AfterManyAttempts_IsCappedAtTheMaximum()
    {
        RetrySchedule.Backoff(500, Base, Max, random: 1).ShouldBe(Max);
    }

    [Fact]
    public void RetryAfter_InSeconds_IsHonoured()
    {
        var header = RetryConditionHeaderValue.Parse("120");
        RetrySchedule.RetryAfter(header, DateTimeOffset.UnixEpoch).ShouldBe(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void RetryAfter_AsHttpDate_IsTheTimeUntilThatDate()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var header = RetryConditionHeaderValue.Parse("Thu, 01 Jan 2026 12:05:00 GMT");
        RetrySchedule.RetryAfter(header, now).ShouldBe(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void RetryAfter_InThePastOrAbsent_IsIgnored()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        RetrySchedule.RetryAfter(RetryConditionHeaderValue.Parse("Thu, 01 Jan 2026 11:00:00 GMT"), now).ShouldBeNull();
        RetrySchedule.RetryAfter(null, now).ShouldBeNull();
    }

    [Fact]
    public void NextAttempt_WithinThePeriod_IsNowPlusTheDelay()
    {
        var created = DateTimeOffset.UnixEpoch;
        RetrySchedule.NextAttempt(created, TimeSpan.FromHours(24), created.AddHours(1), TimeSpan.FromMinutes(1))
            .ShouldBe(created.AddHours(1).AddMinutes(1));
    }

    [Fact]
    public void NextAttempt_BeyondThePeriod_IsALastAttemptAtTheDeadline()
    {
        var created = DateTimeOffset.UnixEpoch;
        RetrySchedule.NextAttempt(created, TimeSpan.FromHours(24), created.AddHours(23), TimeSpan.FromHours(5))
            .ShouldBe(created.AddHours(24));
    }

    [Fact]
    public void NextAttempt_AfterTheDeadline_GivesUp()
    {
        var created = DateTimeOffset.UnixEpoch;
        RetrySchedule.NextAttempt(created, TimeSpan.FromHours(24), created.AddHours(24), TimeSpan.FromSeconds(1)).ShouldBeNull();
    }
}
