using System.Collections.Concurrent;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    [StoreFact]
    public async Task ListRuns_PagesNewestFirstUntilTheLastPage()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await CreateAsync(Run(T0.AddSeconds(i))));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Runs.ListRunsAsync(new RunQuery { Limit = 3, Cursor = cursor }, Ct);
            seen.AddRange(page.Runs.Select(r => r.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        pages.ShouldBe(3);
        seen.ShouldBe(Enumerable.Reverse(ids));
    }

    [StoreFact]
    public async Task ListRuns_WithRunsSharingATimestamp_OrdersThemStably()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CreateAsync(Run()));
        }

        var first = await Runs.ListRunsAsync(new RunQuery { Limit = 2 }, Ct);
        var rest = await Runs.ListRunsAsync(new RunQuery { Limit = 10, Cursor = first.NextCursor }, Ct);

        first.Runs.Concat(rest.Runs).Select(r => r.Id).ShouldBe(ids, ignoreOrder: true);
        rest.NextCursor.ShouldBeNull();
    }

    [StoreFact]
    public async Task ListRuns_WhileRunsAreCreated_NeitherSkipsNorRepeats()
    {
        var existing = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            existing.Add(await CreateAsync(Run(T0.AddMilliseconds(i))));
        }

        var created = new ConcurrentBag<Guid>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 500; i++)
            {
                created.Add(await CreateAsync(Run(T0.AddSeconds(10).AddMilliseconds(i))));
            }
        });

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await Runs.ListRunsAsync(new RunQuery { Limit = 3, Cursor = cursor, CreatedBefore = T0.AddHours(1) }, Ct);
            seen.AddRange(page.Runs.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        await stop.CancelAsync();
        await writer;

        seen.ShouldBeUnique();
        existing.ShouldBeSubsetOf(seen);
        seen.Except(existing).ShouldBeSubsetOf(created);
    }

    [StoreFact]
    public async Task ListRuns_AppliesEachFilter()
    {
        var a = await CreateAsync(Run(T0, owner: "alice", crewName: "research", correlationId: "c-a"));
        var b = await CreateAsync(Run(T0.AddMinutes(1), owner: "bob", crewName: "writing", correlationId: "c-b"));
        var c = await CreateAsync(Run(T0.AddMinutes(2), owner: "alice", crewName: "writing", correlationId: "c-c"));
        (await Runs.TryClaimRunAsync("node-a", T0, Lease, Ct))!.Id.ShouldBe(a);

        async Task<IEnumerable<Guid>> List(RunQuery query) => (await Runs.ListRunsAsync(query, Ct)).Runs.Select(r => r.Id);

        (await List(new RunQuery())).ShouldBe([c, b, a]);
        (await List(new RunQuery { States = [RunState.Running] })).ShouldBe([a]);
        (await List(new RunQuery { States = [RunState.Pending, RunState.Completed] })).ShouldBe([c, b]);
        (await List(new RunQuery { CrewName = "writing" })).ShouldBe([c, b]);
        (await List(new RunQuery { CorrelationId = "c-b" })).ShouldBe([b]);
        (await List(new RunQuery { OwnerId = "alice" })).ShouldBe([c, a]);
        (await List(new RunQuery { CreatedAfter = T0 })).ShouldBe([c, b]);
        (await List(new RunQuery { CreatedBefore = T0.AddMinutes(2) })).ShouldBe([b, a]);
        (await List(new RunQuery { OwnerId = "alice", CrewName = "writing", States = [RunState.Pending] })).ShouldBe([c]);
        (await List(new RunQuery { OwnerId = "nobody" })).ShouldBeEmpty();
    }

    [StoreFact]
    public async Task ListRuns_ByCrewName_LeavesOutAdHocRunsThatTookTheName()
    {
        var deployed = await CreateAsync(Run(T0, crewName: "writing"));
        await CreateAsync(Run(T0.AddMinutes(1), crewName: "writing") with { AdHoc = true });

        var page = await Runs.ListRunsAsync(new RunQuery { CrewName = "writing" }, Ct);

        page.Runs.Select(r => r.Id).ShouldBe([deployed]);
        (await Runs.ListRunsAsync(new RunQuery(), Ct)).Runs.Count.ShouldBe(2);
    }

    [StoreFact]
    public async Task ListRuns_WithForeignCursor_ThrowsArgumentException()
    {
        await CreateAsync(Run());

        await Should.ThrowAsync<ArgumentException>(() => Runs.ListRunsAsync(new RunQuery { Cursor = "not-a-cursor" }, Ct));
        await Should.ThrowAsync<ArgumentException>(() => Runs.ListRunsAsync(new RunQuery { Cursor = "MTIzOmFiYw" }, Ct));
    }
}
