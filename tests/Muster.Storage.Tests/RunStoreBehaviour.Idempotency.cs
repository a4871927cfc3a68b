using System.Text.Json.Nodes;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>An idempotency key belongs to its owner and to the request it first came with.</summary>
public abstract partial class RunStoreBehaviour
{
    [StoreFact]
    public async Task CreateRun_WithSameKeyFromAnotherTokenOfTheSameOwner_ReturnsDuplicate()
    {
        var first = await CreateAsync(Run(owner: "alice", tokenId: "tok_1", idempotencyKey: "k1"));

        var again = await Runs.CreateRunAsync(Run(owner: "alice", tokenId: "tok_2", idempotencyKey: "k1"), Ct);

        again.ShouldBe(new CreateRunResult(CreateRunOutcome.Duplicate, first));
    }

    [StoreFact]
    public async Task CreateRun_WithSameKeyForAnotherCrew_IsRefusedAndStoresNothing()
    {
        await CreateAsync(Run(crewName: "research", idempotencyKey: "k1"));

        var other = await Runs.CreateRunAsync(Run(crewName: "writing", idempotencyKey: "k1"), Ct);

        other.Outcome.ShouldBe(CreateRunOutcome.KeyReused);
        (await Runs.ListRunsAsync(new RunQuery(), Ct)).Runs.Select(r => r.CrewName).ShouldBe(["research"]);
    }

    [StoreFact]
    public async Task CreateRun_WithSameKeyAndAnotherBody_IsRefused()
    {
        await CreateAsync(Run(idempotencyKey: "k1"));

        var otherInputs = await Runs.CreateRunAsync(Run(idempotencyKey: "k1") with { Inputs = new JsonObject { ["topic"] = "bats" } }, Ct);
        var otherMeta = await Runs.CreateRunAsync(Run(idempotencyKey: "k1") with { Meta = null }, Ct);
        var otherWebhooks = await Runs.CreateRunAsync(Run(idempotencyKey: "k1") with { Webhooks = WebhookSettings.None }, Ct);
        var adHoc = await Runs.CreateRunAsync(Run(idempotencyKey: "k1") with { AdHoc = true }, Ct);

        otherInputs.Outcome.ShouldBe(CreateRunOutcome.KeyReused);
        otherMeta.Outcome.ShouldBe(CreateRunOutcome.KeyReused);
        otherWebhooks.Outcome.ShouldBe(CreateRunOutcome.KeyReused);
        adHoc.Outcome.ShouldBe(CreateRunOutcome.KeyReused);
        (await Runs.ListRunsAsync(new RunQuery(), Ct)).Runs.Count.ShouldBe(1);
    }

    [StoreFact]
    public async Task CreateRun_WithSameKeyForAnotherAdHocCrewOfTheSameName_IsRefused()
    {
        await CreateAsync(Run(idempotencyKey: "k1") with { AdHoc = true });

        var other = await Runs.CreateRunAsync(Run(idempotencyKey: "k1") with { AdHoc = true, Crew = Crew(tasks: 3) }, Ct);

        other.Outcome.ShouldBe(CreateRunOutcome.KeyReused);
    }
}
