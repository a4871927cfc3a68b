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

    private Task<IReadOnlyList<IReadOnlyList<DeliveryRecord>>> ClaimAsync(string node = "node-a", DateTimeOffset? now = null, int max = 10) =>
        Deliveries.ClaimDueDeliveriesAsync(node, now ?? T0, max, TimeSpan.FromSeconds(30), Ct);

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
}
