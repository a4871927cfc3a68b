using System.Diagnostics;
using System.Text.Json.Nodes;
using Muster.Server.Tests.Webhooks;
using Muster.Testing;

namespace Muster.Server.Tests.Telemetry;

/// <summary>The run's trace reaches what is done for it outside its execution: its webhook deliveries carry it.</summary>
public sealed class TraceContextTests : IAsyncLifetime
{
    private readonly TracedServer _server = new(path => TestCrews.WriteTwoTaskCrew(path, "traced"));
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _server.Dispose();
    }

    [Fact]
    public async Task AWebhookDelivery_CarriesTheRunsTraceparent()
    {
        await using var muster = await _server.StartAsync();
        var caller = TracedServer.CallerContext();
        using var client = TracedServer.CallerClient(muster, caller.Header);

        using var response = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "tides" },
            ["crewWebhookUrl"] = _receiver.Url("crew"),
        }, "/crews/traced");
        response.EnsureSuccessStatusCode();

        var webhook = (await _receiver.WaitForAcceptedAsync(1, w => w.Path.EndsWith("crew", StringComparison.Ordinal)))[0];
        var header = webhook.Header("traceparent").ShouldNotBeNull();
        ActivityContext.Parse(header, null).TraceId.ShouldBe(caller.TraceId);
        var delivery = await Eventually.Until(
            () => Task.FromResult(_server.SpansOf(caller.TraceId).FirstOrDefault(s => s.DisplayName.StartsWith("webhook ", StringComparison.Ordinal))),
            span => span is not null,
            "the delivery's span was never exported");
        delivery!.Kind.ShouldBe(ActivityKind.Client);
    }
}
