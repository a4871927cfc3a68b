using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>Several store instances on one database: what a restart, the CLI or a second node does.</summary>
public abstract partial class RunStoreBehaviour
{
    [StoreFact]
    public async Task Initialize_FromSeveralNodesAtOnce_LeavesOneWorkingSchema()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => AnotherNode()).ToList();

        await Task.WhenAll(nodes.Select(n => n.Runs.InitializeAsync(Ct)));

        var id = await CreateAsync(Run());
        foreach (var node in nodes)
        {
            (await node.Runs.GetRunAsync(id, Ct)).ShouldNotBeNull();
        }
    }

    [StoreFact]
    public async Task TryClaimRun_FromSeveralNodesAtOnce_GivesEachRunToOneNode()
    {
        for (var i = 0; i < 24; i++)
        {
            await CreateAsync(Run(T0.AddMilliseconds(i)));
        }

        var nodes = Enumerable.Range(0, 3).Select(_ => AnotherNode()).ToList();
        var claims = await Task.WhenAll(nodes.SelectMany((node, n) => Enumerable.Range(0, 10)
            .Select(_ => node.Runs.TryClaimRunAsync($"node-{n}", T0, TimeSpan.FromSeconds(30), Ct))));

        var claimed = claims.Where(c => c is not null).ToList();
        claimed.Count.ShouldBe(24);
        claimed.Select(c => c!.Id).ShouldBeUnique();
        foreach (var run in claimed)
        {
            (await Runs.GetRunAsync(run!.Id, Ct))!.LeaseOwner.ShouldBe(run.LeaseOwner);
        }
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_FromSeveralNodesAtOnce_NeverHandsOutADeliveryTwice()
    {
        for (var i = 0; i < 8; i++)
        {
            var id = await CreateRunningAsync();
            await Runs.AppendEventAsync(Event(id, 1), null,
                [Delivery(id, "http://127.0.0.1:9/a", "events"), Delivery(id, "http://127.0.0.1:9/a", "events"), Delivery(id, "http://127.0.0.1:9/b", "task")], Ct);
        }

        var nodes = Enumerable.Range(0, 3).Select(_ => AnotherNode()).ToList();
        var claims = await Task.WhenAll(nodes.SelectMany((node, n) => Enumerable.Range(0, 4)
            .Select(_ => node.Deliveries.ClaimDueDeliveriesAsync($"node-{n}", T0, 2, TimeSpan.FromSeconds(30), Ct))));

        var claimed = claims.SelectMany(batches => batches.SelectMany(b => b)).Select(d => d.Id).ToList();
        claimed.ShouldBeUnique();
        claimed.Count.ShouldBe(24);
    }
}
