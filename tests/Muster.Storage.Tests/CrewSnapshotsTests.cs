using Muster.Storage.Sql;

namespace Muster.Storage.Tests;

/// <summary>The parsed crew snapshots a store keeps so that repeated reads of one run do not parse the same JSON again.</summary>
public sealed class CrewSnapshotsTests
{
    private static readonly string Json = StoreJson.Write(StoreData.Crew());

    [Fact]
    public void Read_OfTheSameRun_ReturnsTheInstanceReadFirst()
    {
        var snapshots = new CrewSnapshots();

        var first = snapshots.Read("run-1", Json);

        snapshots.Read("run-1", Json).ShouldBeSameAs(first);
        first.Tasks.Select(t => t.Name).ShouldBe(["task_1", "task_2"]);
    }

    [Fact]
    public void Read_OfAnotherRun_ParsesItsOwnSnapshot()
    {
        var snapshots = new CrewSnapshots();

        var research = snapshots.Read("run-1", Json);
        var other = snapshots.Read("run-2", StoreJson.Write(StoreData.Crew(tasks: 3, name: "other")));

        other.ShouldNotBeSameAs(research);
        other.Name.ShouldBe("other");
        other.Tasks.Count.ShouldBe(3);
    }

    [Fact]
    public void Read_PastTheCapacity_StartsAfreshAndStaysBounded()
    {
        var snapshots = new CrewSnapshots(capacity: 2);
        var first = snapshots.Read("run-1", Json);
        snapshots.Read("run-2", Json);

        snapshots.Read("run-3", Json);

        snapshots.Read("run-1", Json).ShouldNotBeSameAs(first);
    }
}
