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

    [Fact]
    public void Write_GivesEqualCrewsOneVersion_AndAnotherCrewAnother()
    {
        var snapshots = new CrewSnapshots();

        var (version, json) = snapshots.Write(StoreData.Crew());

        snapshots.Write(StoreData.Crew()).ShouldBe((version, json));
        snapshots.Write(StoreData.Crew(tasks: 3)).Version.ShouldNotBe(version);
        version.Length.ShouldBe(64);
    }

    [Fact]
    public void Interpolate_OfTheSameRun_ReturnsTheCrewFilledFirst()
    {
        var snapshots = new CrewSnapshots();
        var template = snapshots.AddVersion("v1", Json);

        var first = snapshots.Interpolate("run-1", template, new System.Text.Json.Nodes.JsonObject { ["topic"] = "owls" });

        first.Agents[0].Goal.ShouldBe("Write owls");
        snapshots.TryGetRun("run-1", out var again).ShouldBeTrue();
        again.ShouldBeSameAs(first);
        snapshots.Interpolate("run-2", template, new System.Text.Json.Nodes.JsonObject { ["topic"] = "bats" }).Agents[0].Goal.ShouldBe("Write bats");
    }
}
