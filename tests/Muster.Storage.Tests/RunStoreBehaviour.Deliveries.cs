using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    private const string HookA = "http://127.0.0.1:9/a";
    private const string HookB = "http://127.0.0.1:9/b";

    private async Task<Guid> RunWithDeliveriesAsync(params (string Url, string Kind)[] deliveries)
    {
        var id = await CreateRunningAsync();
        var sequence = 0;
        foreach (var (url, kind) in deliveries)
        {
            await Runs.AppendEventAsync(Event(id, ++sequence), null, [Delivery(id, url, kind, $"{{\"n\":{sequence}}}")], Ct);
        }

        return id;
    }

    private Task<IReadOnlyList<IReadOnlyList<DeliveryRecord>>> ClaimAsync(
        string node = "node-a", DateTimeOffset? now = null, int max = 10, int perHost = 100, string? after = null, params string[] paused) =>
        Deliveries.ClaimDueDeliveriesAsync(Claim(node, now ?? T0, max, TimeSpan.FromSeconds(30), perHost, after, paused), Ct);

    private static DeliveryClaim Claim(
        string node, DateTimeOffset now, int max, TimeSpan lease, int perHost = 100, string? after = null, params string[] paused) => new()
    {
        NodeId = node,
        Now = now,
        Lease = lease,
        MaxQueues = max,
        MaxQueuesPerHost = perHost,
        PausedHosts = paused,
        StartAfterHost = after,
    };

    [StoreFact]
    public async Task ClaimDueDeliveries_ClaimsOnlyTheHeadOfEachRunAndUrlQueue()
    {
        var id = await RunWithDeliveriesAsync((HookA, "task"), (HookB, "task"), (HookA, "crew"));

        var batches = await ClaimAsync();

        batches.Count.ShouldBe(2);
        batches.ShouldAllBe(b => b.Count == 1);
        batches.Select(b => (b[0].Url, b[0].Payload)).ShouldBe([(HookA, "{\"n\":1}"), (HookB, "{\"n\":2}")]);
        var head = batches[0][0];
        head.RunId.ShouldBe(id);
        head.Kind.ShouldBe("task");
        head.State.ShouldBe(DeliveryState.Pending);
        head.CreatedAt.ShouldBe(T0);
        head.AttemptCount.ShouldBe(0);
        head.Host.ShouldBe("127.0.0.1");
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_BatchesConsecutiveEventsDeliveriesOnly()
    {
        await RunWithDeliveriesAsync((HookA, "events"), (HookA, "events"), (HookA, "events"), (HookA, "task"), (HookA, "events"));

        var batch = (await ClaimAsync()).ShouldHaveSingleItem();

        batch.Select(d => d.Payload).ShouldBe(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"]);
        batch.Select(d => d.Position).ShouldBeInOrder();
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_CapsABatchAtOneHundred()
    {
        var id = await CreateRunningAsync();
        await Runs.AppendEventAsync(Event(id, 1), null, [.. Enumerable.Range(0, 130).Select(_ => Delivery(id, HookA, "events"))], Ct);

        (await ClaimAsync()).ShouldHaveSingleItem().Count.ShouldBe(100);
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_KeepsALeasedQueueClosedUntilTheLeaseLapses()
    {
        await RunWithDeliveriesAsync((HookA, "task"), (HookA, "crew"));
        var first = (await ClaimAsync()).ShouldHaveSingleItem()[0];

        (await ClaimAsync("node-b", T0.AddSeconds(29))).ShouldBeEmpty();
        var retaken = (await ClaimAsync("node-b", T0.AddSeconds(31))).ShouldHaveSingleItem();

        retaken[0].Id.ShouldBe(first.Id);
    }

    [StoreFact]
    public async Task RecordAttempt_Delivered_OpensTheNextDeliveryOfTheQueue()
    {
        var id = await RunWithDeliveriesAsync((HookA, "task"), (HookA, "crew"));
        var first = (await ClaimAsync()).Single()[0];

        await Deliveries.RecordAttemptAsync(first.Id, new DeliveryAttempt(T0.AddSeconds(1), 200, null), DeliveryState.Delivered, null, Ct);

        var next = (await ClaimAsync("node-a", T0.AddSeconds(2))).ShouldHaveSingleItem()[0];
        next.Kind.ShouldBe("crew");
        var stored = await Deliveries.GetDeliveriesAsync(id, Ct);
        stored[0].State.ShouldBe(DeliveryState.Delivered);
        stored[0].AttemptCount.ShouldBe(1);
        stored[0].Attempts.ShouldBe([new DeliveryAttempt(T0.AddSeconds(1), 200, null)]);
    }

    [StoreFact]
    public async Task RecordAttempt_StillPending_HoldsTheQueueUntilTheNextAttemptIsDue()
    {
        var id = await RunWithDeliveriesAsync((HookA, "task"), (HookA, "crew"));
        var first = (await ClaimAsync()).Single()[0];

        await Deliveries.RecordAttemptAsync(first.Id, new DeliveryAttempt(T0, 503, "Service Unavailable"), DeliveryState.Pending, T0.AddMinutes(1), Ct);

        (await ClaimAsync("node-a", T0.AddSeconds(59))).ShouldBeEmpty();
        (await ClaimAsync("node-a", T0.AddMinutes(1))).ShouldHaveSingleItem()[0].Id.ShouldBe(first.Id);
        await Deliveries.RecordAttemptAsync(first.Id, new DeliveryAttempt(T0.AddMinutes(1), null, "timeout"), DeliveryState.Failed, null, Ct);
        var stored = (await Deliveries.GetDeliveriesAsync(id, Ct))[0];
        stored.State.ShouldBe(DeliveryState.Failed);
        stored.NextAttemptAt.ShouldBe(T0.AddMinutes(1));
        stored.Attempts.Select(a => a.Error).ShouldBe(["Service Unavailable", "timeout"]);
        stored.Attempts.Select(a => a.StatusCode).ShouldBe([503, null]);
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_HonoursMax()
    {
        await RunWithDeliveriesAsync((HookA, "task"));
        await RunWithDeliveriesAsync((HookA, "task"));
        await RunWithDeliveriesAsync((HookA, "task"));

        (await ClaimAsync(max: 2)).Count.ShouldBe(2);
        (await ClaimAsync(max: 2)).Count.ShouldBe(1);
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_FromConcurrentDispatchers_NeverHandsOutADeliveryTwice()
    {
        for (var i = 0; i < 10; i++)
        {
            await RunWithDeliveriesAsync((HookA, "task"), (HookA, "events"), (HookA, "events"), (HookB, "crew"));
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ClaimAsync($"node-{i}", max: 3)));

        var claimed = claims.SelectMany(batches => batches.SelectMany(b => b)).Select(d => d.Id).ToList();
        claimed.ShouldBeUnique();
        claimed.Count.ShouldBe(20);
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_TakesHostsInTurn_NotOldestFirst()
    {
        // Five old queues to a slow host, then two to a healthy one: global age would hand every slot to the slow host.
        for (var i = 0; i < 5; i++)
        {
            await RunWithDeliveriesAsync(("http://slow.example/hook", "crew"));
        }

        await RunWithDeliveriesAsync(("http://healthy.example/a", "crew"));
        await RunWithDeliveriesAsync(("http://HEALTHY.example:8080/b", "crew"));

        var batches = await ClaimAsync(max: 4);

        batches.Select(b => b[0].Host).ShouldBe(["healthy.example", "slow.example", "healthy.example", "slow.example"]);
        batches.Where(b => b[0].Host == "slow.example").Select(b => b[0].Position).ShouldBeInOrder();
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_NeverHasMoreThanTheCapOfOneHostsQueuesLeased_CountingOtherNodesLeases()
    {
        for (var i = 0; i < 6; i++)
        {
            await RunWithDeliveriesAsync(("http://slow.example/hook", "crew"));
        }

        await RunWithDeliveriesAsync(("http://healthy.example/hook", "crew"));

        var first = await ClaimAsync("node-a", max: 10, perHost: 2);
        var second = await ClaimAsync("node-b", T0.AddSeconds(1), max: 10, perHost: 2);

        first.Select(b => b[0].Host).ShouldBe(["healthy.example", "slow.example", "slow.example"]);
        second.ShouldBeEmpty();
        // One of the slow host's queues is sent: the cap has room for exactly one more.
        await Deliveries.RecordAttemptAsync(first[1][0].Id, new DeliveryAttempt(T0.AddSeconds(2), 200, null), DeliveryState.Delivered, null, Ct);
        (await ClaimAsync("node-b", T0.AddSeconds(3), max: 10, perHost: 2)).ShouldHaveSingleItem()[0].Host.ShouldBe("slow.example");
        // Once the leases lapse (a node died mid-send), the host's queues are free to claim again, up to the cap.
        (await ClaimAsync("node-c", T0.AddMinutes(5), max: 10, perHost: 2)).Select(b => b[0].Host).ShouldBe(["healthy.example", "slow.example", "slow.example"]);
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_CountsAQueueWithALeasedBatchOnceTowardsTheCap()
    {
        var id = await CreateRunningAsync();
        await Runs.AppendEventAsync(Event(id, 1), null, [.. Enumerable.Range(0, 3).Select(_ => Delivery(id, "http://slow.example/events", "events"))], Ct);
        await RunWithDeliveriesAsync(("http://slow.example/hook", "crew"));

        (await ClaimAsync(max: 1, perHost: 2)).ShouldHaveSingleItem().Count.ShouldBe(3);

        (await ClaimAsync("node-b", max: 10, perHost: 2)).ShouldHaveSingleItem()[0].Url.ShouldBe("http://slow.example/hook");
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_SkipsPausedHosts_AndLeavesTheirDeliveriesPending()
    {
        var slow = await RunWithDeliveriesAsync(("http://slow.example/hook", "crew"));
        await RunWithDeliveriesAsync(("http://healthy.example/hook", "crew"));

        (await ClaimAsync(paused: "slow.example")).ShouldHaveSingleItem()[0].Host.ShouldBe("healthy.example");

        (await Deliveries.GetDeliveriesAsync(slow, Ct)).ShouldHaveSingleItem().State.ShouldBe(DeliveryState.Pending);
        (await ClaimAsync("node-a", T0.AddSeconds(1))).ShouldHaveSingleItem()[0].Host.ShouldBe("slow.example");
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_WithACapOfOne_StillSendsEachQueueInOrderAndOnce()
    {
        var runs = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await RunWithDeliveriesAsync(("http://one.example/a", "task"), ("http://one.example/b", "task"), ("http://one.example/a", "crew")));
        }

        var sent = new List<DeliveryRecord>();
        for (var round = 0; round < 100 && sent.Count < 9; round++)
        {
            var batch = (await ClaimAsync(max: 10, perHost: 1)).ShouldHaveSingleItem().ShouldHaveSingleItem();
            sent.Add(batch);
            await Deliveries.RecordAttemptAsync(batch.Id, new DeliveryAttempt(T0, 200, null), DeliveryState.Delivered, null, Ct);
        }

        sent.Select(d => d.Id).ShouldBeUnique();
        sent.Count.ShouldBe(9);
        foreach (var queue in sent.GroupBy(d => (d.RunId, d.Url)))
        {
            queue.Select(d => d.Position).ShouldBeInOrder(SortDirection.Ascending);
        }
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_StartingAfterAHost_ResumesTheRoundThere_SoEveryHostGetsItsTurn()
    {
        foreach (var host in new[] { "a.example", "b.example", "c.example" })
        {
            await RunWithDeliveriesAsync(($"http://{host}/1", "task"));
            await RunWithDeliveriesAsync(($"http://{host}/2", "task"));
        }

        var turns = new List<string>();
        string? after = null;
        for (var i = 0; i < 4; i++)
        {
            after = (await ClaimAsync(max: 1, after: after)).ShouldHaveSingleItem()[0].Host;
            turns.Add(after);
        }

        turns.ShouldBe(["a.example", "b.example", "c.example", "a.example"]);
        (await ClaimAsync(max: 10, after: "a.example")).Select(b => b[0].Host).ShouldBe(["b.example", "c.example"]);
    }

    [StoreFact]
    public async Task RecordAttempt_FailedForGood_OpensTheNextDeliveryOfTheQueue()
    {
        await RunWithDeliveriesAsync((HookA, "task"), (HookA, "crew"));
        var first = (await ClaimAsync()).Single()[0];

        await Deliveries.RecordAttemptAsync(first.Id, new DeliveryAttempt(T0, 410, "Gone"), DeliveryState.Failed, null, Ct);

        (await ClaimAsync("node-a", T0.AddSeconds(1))).ShouldHaveSingleItem()[0].Kind.ShouldBe("crew");
    }

    [StoreFact]
    public async Task ClaimDueDeliveries_AfterABatchIsDeliveredOneByOne_SendsTheQueuesNextBatch()
    {
        await RunWithDeliveriesAsync((HookA, "events"), (HookA, "events"), (HookA, "task"), (HookA, "events"));
        var batch = (await ClaimAsync()).ShouldHaveSingleItem();
        batch.Count.ShouldBe(2);

        foreach (var delivery in batch)
        {
            await Deliveries.RecordAttemptAsync(delivery.Id, new DeliveryAttempt(T0, 200, null), DeliveryState.Delivered, null, Ct);
        }

        (await ClaimAsync("node-a", T0.AddSeconds(1))).ShouldHaveSingleItem().ShouldHaveSingleItem().Kind.ShouldBe("task");
    }
}
