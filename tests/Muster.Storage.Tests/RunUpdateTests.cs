using Muster.Contracts;
using Muster.Core.Engine;

namespace Muster.Storage.Tests;

/// <summary>Folding the changes of consecutive events into one, as a batched append stores them.</summary>
public sealed class RunUpdateTests
{
    [Fact]
    public void Then_LaterValuesReplaceEarlierOnes_AndUnsetOnesKeepThem()
    {
        var first = new RunUpdate { State = RunState.Running, CurrentTask = "task_1", CompletedTasks = 0, StartedAt = StoreData.T0, LeaseOwner = "node-a" };
        var second = new RunUpdate { CurrentTask = "task_2", CompletedTasks = 1, Usage = new TokenUsage(1, 2, 0, 1) };

        var both = first.Then(second);

        both.State.ShouldBe(RunState.Running);
        both.CurrentTask.ShouldBe("task_2");
        both.CompletedTasks.ShouldBe(1);
        both.StartedAt.ShouldBe(StoreData.T0);
        both.Usage.ShouldBe(new TokenUsage(1, 2, 0, 1));
        both.LeaseOwner.ShouldBe("node-a");
        both.ReleaseLease.ShouldBeFalse();
    }

    [Fact]
    public void Then_AClearAfterAPendingReview_ClearsIt()
    {
        var both = new RunUpdate { PendingReview = StoreData.Output("task_1") }.Then(new RunUpdate { ClearReview = true });

        both.PendingReview.ShouldBeNull();
        both.ClearReview.ShouldBeTrue();
    }

    [Fact]
    public void Then_APendingReviewAfterAClear_Survives()
    {
        var review = StoreData.Output("task_2");

        var both = new RunUpdate { ClearReview = true }.Then(new RunUpdate { PendingReview = review, ReleaseLease = true });

        both.PendingReview.ShouldBe(review);
        both.ClearReview.ShouldBeTrue();
        both.ReleaseLease.ShouldBeTrue();
    }
}
