using Microsoft.Extensions.Options;
using Muster.Server.Webhooks;
using Muster.Testing;

namespace Muster.Server.Tests.Webhooks;

public sealed class GuardedConnectorTests
{
    [Fact]
    public async Task Send_ToNameThatNowResolvesToLoopback_IsRefusedAtConnect()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // Validation saw a public address; by the time of sending the name points at loopback (DNS rebinding).
        var dns = new FakeHostResolver().Map("rebind.example.com", "93.184.216.34");
        var validator = new WebhookUrlValidator(Options.Create(new WebhookOptions()), dns);
        var url = $"http://rebind.example.com:{receiver.Port}/hook";
        (await validator.ValidateAsync(new() { CrewWebhookUrl = url }, CancellationToken.None)).ShouldBeEmpty();
        dns.Map("rebind.example.com", "127.0.0.1");

        using var client = Client(dns, allowPrivate: false);
        var ex = await Should.ThrowAsync<HttpRequestException>(() => client.PostAsync(url, new StringContent("{}")));

        ex.InnerException.ShouldBeOfType<WebhookDestinationRefusedException>().Message.ShouldContain("non-public");
        receiver.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_ToLoopbackLiteral_IsRefusedAtConnect()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var client = Client(new FakeHostResolver(), allowPrivate: false);

        await Should.ThrowAsync<HttpRequestException>(() => client.PostAsync(receiver.Url(), new StringContent("{}")));

        receiver.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_ToLoopbackWhenPrivateNetworksAllowed_Connects()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dns = new FakeHostResolver().Map("receiver.test", "127.0.0.1");
        using var client = Client(dns, allowPrivate: true);

        using var response = await client.PostAsync($"http://receiver.test:{receiver.Port}/hook", new StringContent("{}"));

        response.IsSuccessStatusCode.ShouldBeTrue();
        receiver.Received.ShouldHaveSingleItem().Path.ShouldBe("/hook");
    }

    private static HttpClient Client(FakeHostResolver dns, bool allowPrivate)
    {
        var connector = new GuardedConnector(Options.Create(new WebhookOptions { AllowPrivateNetworks = allowPrivate }), dns);
        return new HttpClient(new SocketsHttpHandler { ConnectCallback = connector.ConnectAsync, UseProxy = false });
    }
}
