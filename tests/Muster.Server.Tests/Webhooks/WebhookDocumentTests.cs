using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Webhooks;

/// <summary>
/// The served OpenAPI document (<c>/openapi/v1.json</c>, over HTTP) describes the bodies Muster POSTs to a kickoff's URLs in
/// its <c>webhooks</c>, field for field as a receiver gets them from a real run.
/// </summary>
public sealed class WebhookDocumentTests : IAsyncLifetime
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
            Properties(Body(webhooks, name)).ShouldBe(sent.Select(p => p.Key), ignoreOrder: true, $"the {name} webhook's fields as sent");
        }

        // The crew body's status and error are written only for a run that failed or was stopped; this one completed.
        var crew = _receiver.Accepted.First(r => r.Path == "/crew").Json();
        Properties(Body(webhooks, "crew")).ShouldBe([.. crew.Select(p => p.Key), "status", "error"], ignoreOrder: true);
        Properties(Body(webhooks, "crew")["properties"]!["token_usage"]!.AsObject())
            .ShouldBe(["total_tokens", "prompt_tokens", "completion_tokens", "cost_usd"], ignoreOrder: true);
        Properties(Body(webhooks, "human_input")).ShouldContain("kickoff_id");

        var streamed = _receiver.Accepted.First(r => r.Path == "/events").Json();
        var events = Body(webhooks, "events");
        Properties(events).ShouldBe(streamed.Select(p => p.Key), ignoreOrder: true);
        Properties(events["properties"]!["events"]!["items"]!.AsObject())
            .ShouldBe(streamed["events"]![0]!.AsObject().Select(p => p.Key), ignoreOrder: true);

        foreach (var (_, webhook) in webhooks)
        {
            webhook!["post"]!["responses"]!.AsObject().Select(r => r.Key).ShouldBe(["2XX"]);
        }
    }

    private static JsonObject Body(JsonObject webhooks, string name) =>
        webhooks[name]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!.AsObject();

    private static IEnumerable<string> Properties(JsonObject schema) =>
        schema["properties"].ShouldNotBeNull($"a schema with properties: {schema.ToJsonString()}").AsObject().Select(p => p.Key);
}
