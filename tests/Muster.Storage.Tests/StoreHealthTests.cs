using Microsoft.Extensions.Time.Testing;

namespace Muster.Storage.Tests;

/// <summary>What readiness and the outage log learn from the outcome of a store's reads and writes.</summary>
public sealed class StoreHealthTests
{
    private readonly FakeTimeProvider _time = new(StoreData.T0);
    private readonly StoreHealth _health;
    private readonly List<StoreProblem?> _changes = [];

    public StoreHealthTests()
    {
        _health = new StoreHealth(_time);
        _health.Changed += _changes.Add;
    }

    [Fact]
    public void AFailureThatGoesOn_IsAnnouncedOnce_AndItsEndOnce()
    {
        _health.Failed(Failure(StoreFailureKind.Unavailable), write: true);
        _health.Failed(Failure(StoreFailureKind.Unavailable), write: false);
        _time.Advance(TimeSpan.FromSeconds(1));
        _health.Failed(Failure(StoreFailureKind.Unavailable), write: true);
        _health.Succeeded(write: false);
        _health.Succeeded(write: true);
        _health.Succeeded(write: true);

        _changes.Count.ShouldBe(2);
        _changes[0].ShouldNotBeNull().Kind.ShouldBe(StoreFailureKind.Unavailable);
        _changes[0]!.Since.ShouldBe(StoreData.T0);
        _changes[1].ShouldBeNull();
    }

    [Fact]
    public void AFullDisk_IsNotClearedByAWriteThatWroteNothing_ButByOneThatWrote()
    {
        _health.Failed(Failure(StoreFailureKind.Full), write: true);

        _health.Succeeded(write: true, wroteSomething: false);
        _health.Problem.ShouldNotBeNull().Kind.ShouldBe(StoreFailureKind.Full);

        _health.Succeeded(write: true);
        _health.Problem.ShouldBeNull();
    }

    [Fact]
    public void ABusyLock_IsClearedByAnyWriteThatGetsThrough()
    {
        _health.Failed(Failure(StoreFailureKind.Busy), write: true);

        _health.Succeeded(write: true, wroteSomething: false);

        _health.Problem.ShouldBeNull();
    }

    [Fact]
    public void AWriteFailure_CountsOnlyWhileRecent()
    {
        _health.Failed(Failure(StoreFailureKind.Full), write: true);

        _time.Advance(StoreHealth.RecentWrites);
        _health.Problem.ShouldNotBeNull();
        _time.Advance(TimeSpan.FromSeconds(1));
        _health.Problem.ShouldBeNull("a node that wrote nothing since trusts its reads again");
    }

    [Fact]
    public void Corruption_StaysReported_WhateverSucceedsAfterIt()
    {
        _health.Failed(Failure(StoreFailureKind.Corrupt), write: false);

        _health.Succeeded(write: false);
        _health.Succeeded(write: true);
        _time.Advance(TimeSpan.FromHours(1));

        _health.Problem.ShouldNotBeNull().Kind.ShouldBe(StoreFailureKind.Corrupt);
    }

    private static StoreUnavailableException Failure(StoreFailureKind kind) => new(kind, StoreFailures.Describe(kind), null);
}
