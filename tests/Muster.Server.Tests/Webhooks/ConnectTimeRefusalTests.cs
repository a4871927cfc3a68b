using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Core.Engine;
using Muster.Storage;
using Muster.Testing;

namespace Muster.Server.Tests.Webhooks;

public sealed class ConnectTimeRefusalTests
{
    [Fact]
    public async Task Dispatcher_WithPrivateNetworksRefused_NeverConnectsToALoopbackDestination_AndFailsTheDelivery()
    {
        using var server = new WebhookTestServer(path => TestCrews.WriteReviewCrew(path));
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var muster = await server.StartAsync(allowPrivateNetworks: false);
        using var client = muster.CreateClient(muster.BootstrapToken);
        using var kickoff = await client.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject { ["question"] = "q" } });
        var id = Guid.Parse((await kickoff.ReadJsonAsync()).Body["kickoff_id"]!.GetValue<string>());
        await client.WaitForStatusAsync(id, s => s["pending_human_input"] is not null);

        // A delivery that passed validation once (say the name resolved publicly then) but now points at loopback:
        // written straight into the outbox, as the run sink would, while the run waits and nothing else appends.
        var store = muster.Services.GetRequiredService<IRunStore>();
        var run = (await store.GetRunAsync(id, CancellationToken.None)).ShouldNotBeNull();
        var runEvent = new RunEvent { RunId = id, Sequence = run.LastSequence + 1, Timestamp = DateTimeOffset.UtcNow, Data = new LlmCallStarted("task_1", "Agent", "sim/test-model") };
        var delivery = new NewDelivery
        {
            Id = Guid.NewGuid(), RunId = id, Url = receiver.Url("internal"), Kind = "crew", Payload = "{}", CreatedAt = DateTimeOffset.UtcNow,
        };
        await store.AppendEventAsync(runEvent, null, [delivery], CancellationToken.None);

        var settled = (await client.WaitForDeliveriesSettledAsync(id)).ShouldHaveSingleItem()!;

        settled["state"]!.GetValue<string>().ShouldBe("failed");
        settled["attempts"]!.AsArray().ShouldHaveSingleItem()!["error"]!.GetValue<string>().ShouldContain("AllowPrivateNetworks");
        receiver.Received.ShouldBeEmpty();
    }
}
