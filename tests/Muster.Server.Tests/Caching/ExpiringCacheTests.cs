using Microsoft.Extensions.Time.Testing;
using Muster.Server.Caching;

namespace Muster.Server.Tests.Caching;

public sealed class ExpiringCacheTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Entry_IsServedUntilItsLifetimeEnds()
    {
        var cache = new ExpiringCache<string, int>(10, TimeSpan.FromSeconds(10), _time);
        cache.TryAdd("a", 1, cache.Generation);

        _time.Advance(TimeSpan.FromSeconds(9));
        cache.TryGet("a", out var value).ShouldBeTrue();
        value.ShouldBe(1);

        _time.Advance(TimeSpan.FromSeconds(1));
        cache.TryGet("a", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 0)]
    public void ZeroCapacityOrLifetime_KeepsNothing(int capacity, int seconds)
    {
        var cache = new ExpiringCache<string, int>(capacity, TimeSpan.FromSeconds(seconds), _time);
        cache.Enabled.ShouldBeFalse();

        cache.TryAdd("a", 1, cache.Generation);

        cache.TryGet("a", out _).ShouldBeFalse();
        cache.Count.ShouldBe(0);
    }

    [Fact]
    public void WhenFull_ExpiredEntriesMakeRoom_AndOtherwiseTheNewEntryIsNotKept()
    {
        var cache = new ExpiringCache<string, int>(2, TimeSpan.FromSeconds(10), _time);
        cache.TryAdd("a", 1, cache.Generation);
        _time.Advance(TimeSpan.FromSeconds(5));
        cache.TryAdd("b", 2, cache.Generation);

        cache.TryAdd("c", 3, cache.Generation);
        cache.TryGet("c", out _).ShouldBeFalse("the cache is full of live entries");
        cache.Count.ShouldBe(2);

        _time.Advance(TimeSpan.FromSeconds(5));
        cache.TryAdd("c", 3, cache.Generation);
        cache.TryGet("c", out _).ShouldBeTrue("a's lifetime ended, which made room");
        cache.TryGet("b", out _).ShouldBeTrue();
        cache.Count.ShouldBe(2);
    }

    [Fact]
    public void ValueReadBeforeAnInvalidation_IsNotKept()
    {
        var cache = new ExpiringCache<string, int>(10, TimeSpan.FromSeconds(10), _time);
        var generation = cache.Generation;

        // A reader read the store, then the value was invalidated before the reader stored what it read.
        cache.Remove("a");
        cache.TryAdd("a", 1, generation);

        cache.TryGet("a", out _).ShouldBeFalse();
        cache.TryAdd("a", 1, cache.Generation);
        cache.TryGet("a", out _).ShouldBeTrue();
    }

    [Fact]
    public void RemoveWhere_AndClear_ForgetTheirEntries()
    {
        var cache = new ExpiringCache<string, int>(10, TimeSpan.FromSeconds(10), _time);
        cache.TryAdd("a", 1, cache.Generation);
        cache.TryAdd("b", 2, cache.Generation);
        cache.TryAdd("c", 1, cache.Generation);

        cache.RemoveWhere(value => value == 1);
        cache.TryGet("a", out _).ShouldBeFalse();
        cache.TryGet("c", out _).ShouldBeFalse();
        cache.TryGet("b", out _).ShouldBeTrue();

        cache.Clear();
        cache.Count.ShouldBe(0);
    }
}
