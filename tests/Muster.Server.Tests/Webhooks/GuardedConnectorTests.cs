using Microsoft.Extensions.Options;
using Muster.Core.Net;
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

        ex.InnerException.ShouldBeOfType<DestinationRefusedException>().Message.ShouldContain("non-public");
        receiver.Received.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("192.0.2.1")]
    [InlineData("100::1")]
    public async Task Send_ToNameThatNowResolvesToASpecialPurposeAddress_IsRefusedAtConnect(string address)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dns = new FakeHostResolver().Map("rebind.example.com", address);
        using var client = Client(dns, allowPrivate: false);

        var ex = await Should.ThrowAsync<HttpRequestException>(() => client.PostAsync($"http://rebind.example.com:{receiver.Port}/hook", new StringContent("{}")));

        ex.InnerException.ShouldBeOfType<DestinationRefusedException>().Message.ShouldContain("non-public");
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
        var connector = new GuardedConnector(dns, allowPrivate, "set Muster:Webhooks:AllowPrivateNetworks=true to allow it.");
        return new HttpClient(new SocketsHttpHandler { ConnectCallback = connector.ConnectAsync, UseProxy = false });
    }
}
