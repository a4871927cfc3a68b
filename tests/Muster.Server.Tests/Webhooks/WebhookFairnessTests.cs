using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Core.Net;
using Muster.Testing;

namespace Muster.Server.Tests.Webhooks;

public sealed class WebhookFairnessTests
{
    [Fact]
    public async Task AReceiverThatNeverAnswers_HoldsOnlyItsHostsShareOfTheSlots_AndAHealthyReceiverStillGetsItsWebhooks()
    {
        using var server = new WebhookTestServer();
        await using var dead = new SilentReceiver();
        await using var healthy = await WebhookReceiver.StartAsync();
        var dns = new FakeHostResolver().Map("dead.test", "127.0.0.1");
        await using var muster = await server.StartAsync(
            extra: new Dictionary<string, string?>
            {
                ["Muster:Webhooks:MaxConcurrentQueues"] = "4",
                ["Muster:Webhooks:MaxConcurrentQueuesPerHost"] = "2",
                // The dead host's attempts outlast the test: without the per-host cap they would hold every slot throughout.
                ["Muster:Webhooks:AttemptTimeout"] = "00:05:00",
                ["Muster:Webhooks:ClaimLease"] = "00:10:00",
            },
            services: services => services.AddSingleton<IHostResolver>(dns));
        using var client = muster.CreateClient(muster.BootstrapToken);

        // Six runs, two queues each (task and crew webhooks), all older than the healthy receiver's webhook.
        var deadRuns = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            deadRuns.Add(await KickoffAsync(client, new JsonObject
            {
                ["taskWebhookUrl"] = $"http://dead.test:{dead.Port}/task",
                ["crewWebhookUrl"] = $"http://dead.test:{dead.Port}/crew",
            }));
        }

        foreach (var id in deadRuns)
        {
            await client.WaitForFinishAsync(id);
        }

        await Eventually.Until(() => dead.Connections >= 2, "the dispatcher never started sending to the dead host");

        var healthyRun = await KickoffAsync(client, new JsonObject { ["crewWebhookUrl"] = healthy.Url("crew") });

        var delivered = (await healthy.WaitForAcceptedAsync(1)).ShouldHaveSingleItem();
        delivered.Json()["kickoff_id"]!.GetValue<string>().ShouldBe(healthyRun.ToString());
        dead.Connections.ShouldBe(2, "the dead host may hold no more than its cap of the dispatcher's slots");
        foreach (var id in deadRuns)
        {
            (await client.GetDeliveriesAsync(id)).ShouldAllBe(d => d!["state"]!.GetValue<string>() == "pending");
        }
    }

    [Fact]
    public async Task AHostThatKeepsFailing_IsPaused_ItsOtherWebhooksWaitPendingWhileAHealthyReceiverGetsItsOwn()
    {
        using var server = new WebhookTestServer();
        await using var failing = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        failing.FailNext(1000, status: 503);
        var dns = new FakeHostResolver().Map("failing.test", "127.0.0.1");
        await using var muster = await server.StartAsync(
            extra: new Dictionary<string, string?>
            {
                ["Muster:Webhooks:HostFailuresBeforePause"] = "2",
                ["Muster:Webhooks:MaxConcurrentQueuesPerHost"] = "2",
                // Pauses and retries both outlast the test: every attempt it sees is a first attempt.
                ["Muster:Webhooks:BaseRetryDelay"] = "00:10:00",
                ["Muster:Webhooks:MaxRetryDelay"] = "00:20:00",
            },
            services: services => services.AddSingleton<IHostResolver>(dns));
        using var client = muster.CreateClient(muster.BootstrapToken);
        var failingRuns = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            failingRuns.Add(await KickoffAsync(client, new JsonObject { ["crewWebhookUrl"] = $"http://failing.test:{failing.Port}/crew" }));
        }

        // Attempts are judged before they are recorded: two recorded failures mean the host is paused.
        await Eventually.Until(async () => await AttemptsAsync(client, failingRuns) >= 2, "the failing host was never tried twice");
        await KickoffAsync(client, new JsonObject { ["crewWebhookUrl"] = healthy.Url("crew") });
        await healthy.WaitForAcceptedAsync(1);

        // At most one more attempt, already under way when the second failure paused the host; the rest wait, pending.
        (await AttemptsAsync(client, failingRuns)).ShouldBeLessThanOrEqualTo(3);
        failing.Received.Count.ShouldBeLessThanOrEqualTo(3);
        foreach (var id in failingRuns)
        {
            (await client.GetDeliveriesAsync(id)).ShouldHaveSingleItem()!["state"]!.GetValue<string>().ShouldBe("pending");
        }
    }

    private static async Task<int> AttemptsAsync(HttpClient client, IEnumerable<Guid> runs)
    {
        var attempts = 0;
        foreach (var id in runs)
        {
            attempts += (await client.GetDeliveriesAsync(id)).Sum(d => d!["attempts"]!.AsArray().Count);
        }

        return attempts;
    }

    private static async Task<Guid> KickoffAsync(HttpClient client, JsonObject body)
    {
        body["inputs"] = new JsonObject { ["topic"] = "fairness" };
        using var response = await client.PostKickoffAsync(body);
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        return Guid.Parse(json["kickoff_id"]!.GetValue<string>());
    }
}
