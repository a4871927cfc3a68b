using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>A run's webhook settings change after kickoff (A2A push configs), and a run's id is never stored twice.</summary>
public abstract partial class RunStoreBehaviour
{
    [StoreFact]
    public async Task UpdateWebhooks_KeepsPushConfigsWithTheRun_AndConcurrentChangesLoseNone()
    {
        var runId = await CreateAsync(Run());
        var configs = Enumerable.Range(0, 8).Select(i => new PushNotificationConfig { Id = $"c{i}", Url = $"https://client.example.com/{i}", Token = $"t{i}" }).ToList();

        await Task.WhenAll(configs.Select(config => Runs.UpdateWebhooksAsync(
            runId, settings => settings with { PushConfigs = [.. settings.PushConfigs ?? [], config] }, Ct)));

        var stored = (await Runs.GetWebhooksAsync(runId, Ct)).ShouldNotBeNull();
        stored.PushConfigs.ShouldNotBeNull().Select(c => c.Id).Order().ShouldBe(configs.Select(c => c.Id));
        stored.TaskWebhookUrl.ShouldBe(Run().Webhooks.TaskWebhookUrl);
        (await Runs.GetRunAsync(runId, Ct))!.Webhooks.PushConfigs!.Single(c => c.Id == "c3").Token.ShouldBe("t3");
    }

    [StoreFact]
    public async Task UpdateWebhooks_AndGetWebhooks_OfAnAbsentRun_AreNull()
    {
        (await Runs.GetWebhooksAsync(Guid.NewGuid(), Ct)).ShouldBeNull();
        (await Runs.UpdateWebhooksAsync(Guid.NewGuid(), settings => settings, Ct)).ShouldBeNull();
    }

    [StoreFact]
    public async Task CreateRun_WithAnIdTakenAlready_StoresNothing_AndSaysSo()
    {
        var first = Run(owner: "alice");
        await CreateAsync(first);

        var again = await Runs.CreateRunAsync(Run(owner: "bob") with { Id = first.Id }, Ct);

        again.ShouldBe(new CreateRunResult(CreateRunOutcome.IdTaken, first.Id));
        (await Runs.GetRunAsync(first.Id, Ct))!.OwnerId.ShouldBe("alice");
        (await Runs.ListRunsAsync(new RunQuery(), Ct)).Runs.Count.ShouldBe(1);
    }
}
