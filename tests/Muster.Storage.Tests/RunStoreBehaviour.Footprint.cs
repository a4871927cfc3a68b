using System.Text.Json.Nodes;
using Muster.Core.Crews;
using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>What a run stores: its crew once per version, and its long inputs once, whatever repeats them.</summary>
public abstract partial class RunStoreBehaviour
{
    // Long, with characters JSON escapes (quotes, a backslash, non-ASCII, an emoji), so that packing meets them escaped.
    private static readonly string LongTopic = string.Concat(Enumerable.Range(0, 40).Select(i => $"tide {i} \"é\\😀 ")) + "\uE000";

    private static NewRun LongRun(Guid? id = null) => Run(id: id) with
    {
        Inputs = new JsonObject { ["topic"] = LongTopic, ["count"] = 3, ["tags"] = new JsonArray("a", string.Concat(Enumerable.Repeat("b", 300))) },
    };

    [StoreFact]
    public async Task CreateRun_OfOneCrewManyTimes_KeepsItsSnapshotOnce_AndEachRunGetsItFilledWithItsOwnInputs()
    {
        var runs = new List<Guid>();
        foreach (var topic in new[] { "owls", "bats", "moths" })
        {
            runs.Add(await CreateAsync(Run(id: Guid.NewGuid()) with { Inputs = new JsonObject { ["topic"] = topic } }));
        }

        (await ScalarAsync("SELECT count(*) FROM crew_snapshots")).ShouldBe(1);
        (await ScalarAsync("SELECT max(length(crew)) FROM runs")).ShouldBe(0);
        var reader = AnotherNode().Runs;
        (await reader.GetRunAsync(runs[1], Ct))!.Crew.Agents[0].Goal.ShouldBe("Write bats");
        (await reader.GetRunAsync(runs[2], Ct))!.Crew.Agents[0].Goal.ShouldBe("Write moths");
    }

    [StoreFact]
    public async Task AppendEvents_RepeatingALongInput_StoreItOnce_AndReadBackExactlyAsAppended()
    {
        var id = await CreateAsync(LongRun());
        var output = Output("task_1", raw: "About " + LongTopic) with { Description = "Research " + LongTopic, Agent = LongTopic + " Researcher" };
        var inputs = (await Runs.GetRunAsync(id, Ct))!.Crew.InputValues!;
        var appended = new List<RunEvent>
        {
            Event(id, 1) with { Data = new CrewKickoffStarted("research", (JsonObject)inputs.DeepClone(), TotalTasks: 1) },
            Event(id, 2) with
            {
                Data = new AgentStep("task_1", LongTopic + " Researcher", $"Research {LongTopic}.\nTags: [\"a\",\"{new string('b', 300)}\"]", "Thinking", "", "", "3"),
            },
            Event(id, 3, RunEventTypes.TaskCompleted, output),
        };

        await Runs.AppendEventsAsync([.. appended.Select(e => new EventAppend(e, null, []))], Ct);

        var stored = await ScalarAsync("SELECT sum(length(data)) FROM run_events") + await ScalarAsync("SELECT sum(length(output)) FROM task_results");
        // Unpacked, these rows would repeat the long input eight times; packed, each repeat is a reference of a few bytes.
        stored.ShouldBeLessThan(2 * LongTopic.Length, "a long input is stored once, in the run's row");
        foreach (var reader in new[] { Runs, AnotherNode().Runs })
        {
            var events = await reader.GetEventsAsync(id, 0, 10, Ct);
            events.Select(e => e.Data).ShouldBe(appended.Select(e => RunEventJson.Serialize(e.Data)));
            (await reader.GetTaskResultsAsync(id, Ct)).Select(Sql.StoreJson.Write).ShouldBe([Sql.StoreJson.Write(output)]);
        }
    }

    [StoreFact]
    public async Task PendingReview_RepeatingALongInput_ReadsBackAsStored()
    {
        var id = await CreateAsync(LongRun());
        (await Runs.TryClaimRunAsync("node-a", T0, TimeSpan.FromMinutes(5), Ct))!.Id.ShouldBe(id);
        var output = Output("task_1", raw: LongTopic);

        await Runs.AppendEventAsync(Event(id, 1, RunEventTypes.TaskAwaitingHuman), new RunUpdate { State = RunState.AwaitingHuman, PendingReview = output }, [], Ct);

        (await ScalarAsync("SELECT length(pending_review) FROM runs")).ShouldBeLessThan(LongTopic.Length);
        Sql.StoreJson.Write((await AnotherNode().Runs.GetRunAsync(id, Ct))!.PendingReview).ShouldBe(Sql.StoreJson.Write(output));
    }

    [StoreFact]
    public async Task RecordedBytes_CountTheInputsAndMetaThenEachEventAsStored()
    {
        var id = await CreateAsync(Run());
        var start = (await Runs.GetRunAsync(id, Ct))!.RecordedBytes;
        start.ShouldBe("""{"topic":"owls"}""".Length + """{"trace":"abc"}""".Length);

        await Runs.AppendEventsAsync([new EventAppend(Event(id, 1), null, []), new EventAppend(Event(id, 2), null, [])], Ct);

        (await Runs.GetRunAsync(id, Ct))!.RecordedBytes.ShouldBe(start + RunEventJson.Serialize(Event(id, 1).Data).Length + RunEventJson.Serialize(Event(id, 2).Data).Length);
    }

    [StoreFact]
    public async Task DeleteAndPurge_DeleteASnapshotOnlyOnceNoRunRefersToItAndItWentUnusedForTwoHours()
    {
        var adHoc = Crew(tasks: 3, name: "custom");
        await CreateFinishedAsync(Run(id: Guid.NewGuid()));
        var first = await CreateFinishedAsync(Run(id: Guid.NewGuid()) with { AdHoc = true, Crew = adHoc });
        Clock.Advance(TimeSpan.FromHours(3));
        var second = await CreateFinishedAsync(Run(id: Guid.NewGuid()) with { AdHoc = true, Crew = adHoc });
        (await ScalarAsync("SELECT count(*) FROM crew_snapshots")).ShouldBe(2, "the deployed crew's and the ad-hoc crew's");

        (await Runs.DeleteRunAsync(first, Ct)).ShouldBeTrue();
        (await ScalarAsync("SELECT count(*) FROM crew_snapshots")).ShouldBe(2, "the second run still refers to it");
        (await Runs.DeleteRunAsync(second, Ct)).ShouldBeTrue();
        (await ScalarAsync("SELECT count(*) FROM crew_snapshots")).ShouldBe(2, "used too recently: a kickoff in flight may refer to it");

        Clock.Advance(TimeSpan.FromHours(3));
        (await Runs.PurgeFinishedRunsAsync(T0, Ct)).ShouldBe(0);
        (await ScalarAsync("SELECT count(*) FROM crew_snapshots")).ShouldBe(1, "the deployed crew's: its run is kept");
        var third = await CreateAsync(Run(id: Guid.NewGuid()) with { AdHoc = true, Crew = adHoc });
        (await AnotherNode().Runs.GetRunAsync(third, Ct))!.Crew.Tasks.Count.ShouldBe(3);
    }

    [StoreFact]
    public async Task GetRun_StoredBeforeSnapshotsWereKeptApart_ReadsItsOwnSnapshot()
    {
        var id = await CreateAsync(Run());
        var json = Sql.StoreJson.Write(CrewInterpolator.Interpolate(Crew(tasks: 4), new JsonObject { ["topic"] = "legacy" }));
        await ScalarAsync($"UPDATE runs SET crew = '{json.Replace("'", "''", StringComparison.Ordinal)}', crew_version = NULL WHERE id = '{id}'");

        var run = (await AnotherNode().Runs.GetRunAsync(id, Ct))!;

        run.Crew.Tasks.Count.ShouldBe(4);
        run.Crew.Agents[0].Goal.ShouldBe("Write legacy");
    }

    /// <summary>A finished run (one task completed) of <paramref name="run"/>, claimed by node-a.</summary>
    private async Task<Guid> CreateFinishedAsync(NewRun run)
    {
        var id = await CreateAsync(run);
        (await Runs.TryClaimRunAsync("node-a", T0, TimeSpan.FromMinutes(5), Ct))!.Id.ShouldBe(id);
        await Runs.AppendEventAsync(
            Event(id, 1, RunEventTypes.TaskCompleted, Output("task_1")),
            new RunUpdate { State = RunState.Completed, CompletedAt = T0, ReleaseLease = true }, [], Ct);
        return id;
    }
}
