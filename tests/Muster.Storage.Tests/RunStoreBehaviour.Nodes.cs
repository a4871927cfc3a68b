using System.Collections.Concurrent;
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
            .Select(_ => node.Deliveries.ClaimDueDeliveriesAsync(Claim($"node-{n}", T0, 2, TimeSpan.FromSeconds(30)), Ct))));

        var claimed = claims.SelectMany(batches => batches.SelectMany(b => b)).Select(d => d.Id).ToList();
        claimed.ShouldBeUnique();
        claimed.Count.ShouldBe(24);
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_FromSeveralNodesAtOnce_NeverLeaseMoreThanTheCapOfOneHost()
    {
        for (var i = 0; i < 12; i++)
        {
            var id = await CreateRunningAsync();
            await Runs.AppendEventAsync(Event(id, 1), null, [Delivery(id, "http://slow.example/hook", "crew")], Ct);
        }

        var nodes = Enumerable.Range(0, 4).Select(_ => AnotherNode()).ToList();
        var claims = await Task.WhenAll(nodes.SelectMany((node, n) => Enumerable.Range(0, 3)
            .Select(_ => node.Deliveries.ClaimDueDeliveriesAsync(Claim($"node-{n}", T0, 10, TimeSpan.FromSeconds(30), perHost: 3), Ct))));

        claims.Sum(batches => batches.Count).ShouldBe(3);
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_SeveralNodesDrainingTheOutbox_SendEachDeliveryOnceAndInQueueOrder()
    {
        for (var i = 0; i < 4; i++)
        {
            var id = await CreateRunningAsync(createdAt: T0.AddMilliseconds(i));
            for (var sequence = 1; sequence <= 6; sequence++)
            {
                await Runs.AppendEventAsync(Event(id, sequence), null,
                    [Delivery(id, "http://127.0.0.1:9/a", "task"), Delivery(id, "http://127.0.0.1:9/b", "crew")], Ct);
            }
        }

        const int Total = 4 * 6 * 2;
        // What each node "sends", in the order sends happen: a send is recorded before the next claim can see its queue move.
        var sent = new ConcurrentQueue<DeliveryRecord>();
        async Task DrainAsync(StoreNode node, string name)
        {
            for (var round = 0; sent.Count < Total && round < 10_000; round++)
            {
                var batches = await node.Deliveries.ClaimDueDeliveriesAsync(Claim(name, T0, 3, TimeSpan.FromMinutes(5)), Ct);
                foreach (var delivery in batches.SelectMany(b => b))
                {
                    sent.Enqueue(delivery);
                    await node.Deliveries.RecordAttemptAsync(delivery.Id, new DeliveryAttempt(T0, 200, null), DeliveryState.Delivered, null, Ct);
                }

                if (batches.Count == 0)
                {
                    await Task.Delay(1);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 3).Select(n => DrainAsync(AnotherNode(), $"node-{n}")));

        sent.Select(d => d.Id).ShouldBeUnique();
        sent.Count.ShouldBe(Total);
        foreach (var queue in sent.GroupBy(d => (d.RunId, d.Url)))
        {
            queue.Select(d => d.Position).ShouldBeInOrder(SortDirection.Ascending, $"queue {queue.Key} went out of order");
        }
    }
}
