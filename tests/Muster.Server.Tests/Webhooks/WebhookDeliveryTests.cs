using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Webhooks;

public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private readonly WebhookTestServer _server = new();
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _server.Dispose();
    }

    [Fact]
    public async Task Kickoff_WithStepTaskAndCrewUrls_DeliversEachPayloadSignedWithMeta()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);

        var id = await Kickoff(client, new JsonObject
        {
            ["stepWebhookUrl"] = _receiver.Url("step"),
            ["taskWebhookUrl"] = _receiver.Url("task"),
            ["crewWebhookUrl"] = _receiver.Url("crew"),
        });
        // Each URL is its own queue: the crew webhook may overtake the last task webhook.
        await _receiver.WaitForAcceptedAsync(1, r => r.Path == "/crew");
        await _receiver.WaitForAcceptedAsync(2, r => r.Path == "/task");
        await client.WaitForDeliveriesSettledAsync(id);

        // Each URL is its own queue: the crew webhook can overtake the last task webhook.
        await _receiver.WaitForAcceptedAsync(2, r => r.Path == "/task");
        var tasks = _receiver.Accepted.Where(r => r.Path == "/task").Select(r => r.Json()).ToList();
        tasks.Select(t => t["name"]!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
        foreach (var task in tasks)
        {
            task.Select(p => p.Key).ShouldBe(
                ["description", "name", "expected_output", "summary", "agent", "output", "output_json", "kickoff_id", "meta"], ignoreOrder: true);
            task["kickoff_id"]!.GetValue<string>().ShouldBe(id.ToString());
            task["meta"]!["ticket"]!.GetValue<string>().ShouldBe("T-42");
            task["output"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
            task["summary"]!.GetValue<string>().ShouldEndWith("...");
        }

        tasks[0]["agent"]!.GetValue<string>().ShouldBe("webhooks Researcher");

        var steps = _receiver.Accepted.Where(r => r.Path == "/step").Select(r => r.Json()).ToList();
        steps.ShouldNotBeEmpty();
        steps[0].Select(p => p.Key).ShouldBe(["prompt", "thought", "tool", "tool_input", "result", "kickoff_id", "meta"], ignoreOrder: true);
        steps[0]["meta"]!["ticket"]!.GetValue<string>().ShouldBe("T-42");

        var crew = _receiver.Accepted.Single(r => r.Path == "/crew").Json();
        crew.Select(p => p.Key).ShouldBe(["kickoff_id", "result", "result_json", "token_usage", "meta"], ignoreOrder: true);
        crew["kickoff_id"]!.GetValue<string>().ShouldBe(id.ToString());
        crew["result"]!.GetValue<string>().ShouldBe(tasks[1]["output"]!.GetValue<string>());
        crew["token_usage"]!["total_tokens"]!.GetValue<long>().ShouldBeGreaterThan(0);
        // AMP's three fields, then Muster's cost (docs/COSTS.md).
        crew["token_usage"]!.AsObject().Select(p => p.Key).ShouldBe(["total_tokens", "prompt_tokens", "completion_tokens", "cost_usd"]);

        foreach (var webhook in _receiver.Received)
        {
            webhook.ShouldBeSignedWith(WebhookTestServer.Secret);
            webhook.Header("Content-Type").ShouldNotBeNull().ShouldStartWith("application/json");
        }

        _receiver.Received.Select(r => r.Header("Muster-Event-Id")).Distinct().Count().ShouldBe(_receiver.Received.Count);
    }

    [Fact]
    public async Task Kickoff_WithBatchedEventStream_SendsEveryEventInOrderWrappedInEvents()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);
        // The first request fails and asks for a pause, so the events behind it pile up and go out together.
        _receiver.FailNext(1, status: 503, retryAfter: "1");

        var id = await Kickoff(client, new JsonObject
        {
            ["webhooks"] = new JsonObject { ["url"] = _receiver.Url("events"), ["authentication"] = new JsonObject { ["strategy"] = "bearer", ["token"] = "stream-token" } },
        });
        await client.WaitForFinishAsync(id);
        await client.WaitForDeliveriesSettledAsync(id);
        var events = await WaitForStreamAsync(RunEventTypeCompleted);

        events.Select(e => e["type"]!.GetValue<string>()).ShouldContain("crew_kickoff_started");
        events.Select(e => e["type"]!.GetValue<string>()).ShouldContain("task_completed");
        events.Select(e => e["id"]!.GetValue<string>()).Distinct().Count().ShouldBe(events.Count);
        foreach (var e in events)
        {
            e.Select(p => p.Key).ShouldBe(["id", "execution_id", "timestamp", "type", "data"], ignoreOrder: true);
            e["execution_id"]!.GetValue<string>().ShouldBe(id.ToString());
        }

        var sequences = events.Select(e => long.Parse(e["id"]!.GetValue<string>().Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        sequences.ShouldBe(sequences.Order().ToList());
        _receiver.Accepted.ShouldAllBe(r => r.Header("Authorization") == "Bearer stream-token");
        // Batched: fewer requests than events.
        _receiver.Accepted.Count.ShouldBeLessThan(events.Count);
    }

    [Fact]
    public async Task Kickoff_WithRealtimeFilteredStream_SendsOnlyListedTypesOneEventPerRequest()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);

        var id = await Kickoff(client, new JsonObject
        {
            ["webhooks"] = new JsonObject { ["url"] = _receiver.Url("events"), ["realtime"] = true, ["events"] = new JsonArray("task_started", "crew_kickoff_completed") },
        });
        await client.WaitForFinishAsync(id);
        await client.WaitForDeliveriesSettledAsync(id, atLeast: 3);

        var bodies = _receiver.Accepted.Select(r => r.Json()["events"]!.AsArray()).ToList();
        bodies.ShouldAllBe(b => b.Count == 1);
        bodies.Select(b => b[0]!["type"]!.GetValue<string>()).ShouldBe(["task_started", "task_started", "crew_kickoff_completed"]);
    }

    [Fact]
    public async Task Receiver_FailingSeveralTimesThenRecovering_GetsEveryWebhookInOrder_AndAttemptsAreRecorded()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);
        _receiver.FailNext(4, status: 500);

        var id = await Kickoff(client, new JsonObject { ["taskWebhookUrl"] = _receiver.Url("task"), ["crewWebhookUrl"] = _receiver.Url("task") });
        var accepted = await _receiver.WaitForAcceptedAsync(3);

        accepted.Select(r => r.Json()["name"]?.GetValue<string>() ?? "crew").ShouldBe(["research_task", "report_task", "crew"]);
        var deliveries = await client.WaitForDeliveriesSettledAsync(id, atLeast: 3);
        deliveries.ShouldAllBe(d => d!["state"]!.GetValue<string>() == "delivered");
        var first = deliveries.Single(d => d!["kind"]!.GetValue<string>() == "task" && d["attempts"]!.AsArray().Count > 1)!;
        var attempts = first["attempts"]!.AsArray();
        attempts.Select(a => a!["status_code"]?.GetValue<int>()).ShouldBe([500, 500, 500, 500, 200]);
        attempts[0]!["error"]!.GetValue<string>().ShouldContain("500");
        attempts[^1]!["error"].ShouldBeNull();
    }

    [Fact]
    public async Task Receiver_AskingForRetryAfter_IsRetriedNoSoonerThanAsked()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);
        _receiver.FailNext(1, status: 429, retryAfter: "2");

        await Kickoff(client, new JsonObject { ["crewWebhookUrl"] = _receiver.Url("crew") });
        await _receiver.WaitForAcceptedAsync(1);

        var received = _receiver.Received;
        received.Count.ShouldBe(2);
        // The base retry delay is 50 ms; only Retry-After explains a gap of about two seconds.
        (received[1].ReceivedAt - received[0].ReceivedAt).ShouldBeGreaterThan(TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Receiver_NeverAnswering2xx_IsGivenUpAfterTheRetryPeriod()
    {
        await using var muster = await _server.StartAsync(extra: new Dictionary<string, string?> { ["Muster:Webhooks:RetryPeriod"] = "00:00:01" });
        using var client = muster.CreateClient(muster.BootstrapToken);
        _receiver.FailNext(int.MaxValue, status: 503);

        var id = await Kickoff(client, new JsonObject { ["crewWebhookUrl"] = _receiver.Url("crew") });
        await client.WaitForFinishAsync(id);

        var delivery = (await client.WaitForDeliveriesSettledAsync(id)).ShouldHaveSingleItem()!;
        delivery["state"]!.GetValue<string>().ShouldBe("failed");
        delivery["attempts"]!.AsArray().Count.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Receiver_DownAcrossAServerRestart_GetsTheWebhookFromTheNextServer()
    {
        Guid id;
        await _receiver.StopAsync();
        await using (var first = await _server.StartAsync())
        {
            using var client = first.CreateClient(first.BootstrapToken);
            id = await Kickoff(client, new JsonObject { ["crewWebhookUrl"] = _receiver.Url("crew") });
            await client.WaitForFinishAsync(id);
            await Eventually.Until(
                async () => (await client.GetDeliveriesAsync(id)).Any(d => d!["attempts"]!.AsArray().Count > 0), "no attempt was recorded while the receiver was down");
        }

        await _receiver.RestartAsync();
        await using var second = await _server.StartAsync();
        var crew = (await _receiver.WaitForAcceptedAsync(1)).Single().Json();

        crew["kickoff_id"]!.GetValue<string>().ShouldBe(id.ToString());
        using var client2 = second.CreateClient(second.BootstrapToken);
        var delivery = (await client2.WaitForDeliveriesSettledAsync(id)).ShouldHaveSingleItem()!;
        delivery["state"]!.GetValue<string>().ShouldBe("delivered");
        delivery["attempts"]!.AsArray()[0]!["status_code"].ShouldBeNull();
    }

    [Fact]
    public async Task Deliveries_OfAnotherUsersRun_AreNotFound()
    {
        await using var muster = await _server.StartAsync();
        using var org = muster.CreateClient(muster.BootstrapToken);
        using var alice = muster.CreateClient(await org.CreateTokenAsync("user", "alice"));
        using var bob = muster.CreateClient(await org.CreateTokenAsync("user", "bob"));

        var id = await Kickoff(alice, new JsonObject { ["crewWebhookUrl"] = _receiver.Url("crew") });

        (await alice.GetAsync($"/api/crew-runs/{id}/deliveries")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await bob.GetAsync($"/api/crew-runs/{id}/deliveries")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await bob.GetAsync("/api/crew-runs/not-a-guid/deliveries")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private const string RunEventTypeCompleted = "crew_kickoff_completed";

    private async Task<List<JsonObject>> WaitForStreamAsync(string lastType)
    {
        await Eventually.Until(() => StreamEvents().Any(e => e["type"]!.GetValue<string>() == lastType), $"the stream never carried {lastType}");
        return StreamEvents();
    }

    private List<JsonObject> StreamEvents() =>
        [.. _receiver.Accepted.SelectMany(r => r.Json()["events"]!.AsArray()).Select(e => e!.AsObject())];

    /// <summary>The served OpenAPI document's <c>webhooks</c> describe these bodies, field for field as a receiver gets them.</summary>
    [Fact]
    public async Task TheDocumentsWebhooks_NameEveryFieldOfTheStepTaskCrewAndEventBodiesAReceiverGets()
    {
        await using var muster = await _server.StartAsync();
        using var client = muster.CreateClient(muster.BootstrapToken);
        using var response = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "documents" },
            ["meta"] = new JsonObject { ["ticket"] = "T-7" },
            ["stepWebhookUrl"] = _receiver.Url("step"),
            ["taskWebhookUrl"] = _receiver.Url("task"),
            ["crewWebhookUrl"] = _receiver.Url("crew"),
            ["webhooks"] = new JsonObject { ["url"] = _receiver.Url("events"), ["realtime"] = true },
        });
        var (status, kickoff) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK, kickoff.ToJsonString());
        var id = Guid.Parse(kickoff["kickoff_id"]!.GetValue<string>());
        await client.WaitForFinishAsync(id);
        await client.WaitForDeliveriesSettledAsync(id);

        using var anonymous = muster.CreateClient();
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var webhooks = document["webhooks"].ShouldNotBeNull().AsObject();
        webhooks.Select(w => w.Key).ShouldBe(["step", "task", "crew", "human_input", "events"], ignoreOrder: true);

        foreach (var name in new[] { "step", "task" })
        {
            var sent = _receiver.Accepted.First(r => r.Path == "/" + name).Json();
            DocumentedProperties(DocumentedBody(webhooks, name)).ShouldBe(sent.Select(p => p.Key), ignoreOrder: true, $"the {name} webhook's fields as sent");
        }

        // The crew body's status and error are written only for a run that failed or was stopped; this one completed.
        var crew = _receiver.Accepted.First(r => r.Path == "/crew").Json();
        DocumentedProperties(DocumentedBody(webhooks, "crew")).ShouldBe([.. crew.Select(p => p.Key), "status", "error"], ignoreOrder: true);
        DocumentedProperties(DocumentedBody(webhooks, "crew")["properties"]!["token_usage"]!.AsObject())
            .ShouldBe(["total_tokens", "prompt_tokens", "completion_tokens", "cost_usd"], ignoreOrder: true);
        DocumentedProperties(DocumentedBody(webhooks, "human_input")).ShouldContain("kickoff_id");

        var streamed = _receiver.Accepted.First(r => r.Path == "/events").Json();
        var events = DocumentedBody(webhooks, "events");
        DocumentedProperties(events).ShouldBe(streamed.Select(p => p.Key), ignoreOrder: true);
        DocumentedProperties(events["properties"]!["events"]!["items"]!.AsObject())
            .ShouldBe(streamed["events"]![0]!.AsObject().Select(p => p.Key), ignoreOrder: true);

        foreach (var (_, webhook) in webhooks)
        {
            webhook!["post"]!["responses"]!.AsObject().Select(r => r.Key).ShouldBe(["2XX"]);
        }
    }

    private static JsonObject DocumentedBody(JsonObject webhooks, string name) =>
        webhooks[name]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!.AsObject();

    private static IEnumerable<string> DocumentedProperties(JsonObject schema) =>
        schema["properties"].ShouldNotBeNull($"a schema with properties: {schema.ToJsonString()}").AsObject().Select(p => p.Key);

    private static async Task<Guid> Kickoff(HttpClient client, JsonObject body)
    {
        body["inputs"] = new JsonObject { ["topic"] = "webhooks" };
        body["meta"] = new JsonObject { ["ticket"] = "T-42" };
        using var response = await client.PostKickoffAsync(body);
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        return Guid.Parse(json["kickoff_id"]!.GetValue<string>());
    }
}
