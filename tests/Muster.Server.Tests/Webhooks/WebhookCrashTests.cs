using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Webhooks;

/// <summary>The outbox across a SIGKILL of the server process: the store is all that survives.</summary>
public sealed class WebhookCrashTests : IAsyncLifetime
{
    private const int Runs = 140;
    private readonly TempFolder _folder = new();
    private readonly string _token = "mst_webhook_crash_" + Guid.NewGuid().ToString("N");
    private LlmSimulator _simulator = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _simulator = await LlmSimulator.StartAsync(new SimulatorOptions { RecordRequests = false });
        _receiver = await WebhookReceiver.StartAsync();
        TestCrews.WriteTwoTaskCrew(_folder.Combine("crews"));
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _simulator.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task KilledWithHundredsOfWebhooksPending_TheNextServerDeliversEveryOne_InOrderPerRunAndUrl()
    {
        var settings = TestSettings.For(_folder, _simulator.BaseUrl.ToString(), _token);
        settings["Muster:Webhooks:SigningSecret"] = WebhookTestServer.Secret;
        settings["Muster:Webhooks:AllowPrivateNetworks"] = "true";
        settings["Muster:Webhooks:PollInterval"] = "00:00:00.050";
        settings["Muster:Webhooks:BaseRetryDelay"] = "00:00:00.050";
        settings["Muster:Webhooks:MaxRetryDelay"] = "00:00:00.200";
        // Long enough that no send on a busy machine times out or outlives its claim (either sends a webhook again beyond
        // what the kill left in flight); the next server waits out the dead one's claims, at most this lease.
        settings["Muster:Webhooks:AttemptTimeout"] = "00:00:15";
        settings["Muster:Webhooks:ClaimLease"] = "00:00:20";
        // The receiver is down while the runs finish: every run's three webhooks (two tasks, then the crew) pile up.
        await _receiver.StopAsync();
        var ids = new List<Guid>();
        await using (var first = await MusterServerProcess.StartAsync(settings, _folder.Path))
        {
            using var client = first.CreateClient(_token);
            for (var i = 0; i < Runs; i++)
            {
                using var response = await client.PostKickoffAsync(new JsonObject
                {
                    ["inputs"] = new JsonObject { ["topic"] = $"crash {i}" },
                    ["taskWebhookUrl"] = _receiver.Url("task"),
                    ["crewWebhookUrl"] = _receiver.Url("crew"),
                });
                ids.Add(Guid.Parse((await response.ReadJsonAsync()).Body["kickoff_id"]!.GetValue<string>()));
            }

            foreach (var id in ids)
            {
                await client.WaitForFinishAsync(id);
            }

            // Back up, and killed while it sends.
            await _receiver.RestartAsync();
            await Eventually.Until(() => _receiver.Accepted.Count >= 20, "the first server never delivered any webhook");
            await first.KillAsync();
        }

        await using var second = await MusterServerProcess.StartAsync(settings, _folder.Path);
        using var again = second.CreateClient(_token);
        foreach (var id in ids)
        {
            (await again.WaitForDeliveriesSettledAsync(id, atLeast: 3)).ShouldAllBe(d => d!["state"]!.GetValue<string>() == "delivered");
        }

        var accepted = _receiver.Accepted;
        var firsts = accepted.DistinctBy(w => w.Header("Muster-Event-Id")).ToList();
        firsts.Count.ShouldBe(Runs * 3);
        // At least once: only what was in flight at the kill may come twice, at most one batch per queue.
        (accepted.Count - firsts.Count).ShouldBeLessThanOrEqualTo(32);
        foreach (var run in firsts.GroupBy(w => w.Json()["kickoff_id"]!.GetValue<string>()))
        {
            run.Where(w => w.Path == "/task").Select(w => w.Json()["name"]!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
            run.Count(w => w.Path == "/crew").ShouldBe(1);
        }
    }
}
