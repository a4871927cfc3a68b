using System.Net;
using Muster.Server.Webhooks;

namespace Muster.Server.Tests.Webhooks;

public sealed class NetworkAddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.10", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("100.64.0.1", "CGNAT")]
    [InlineData("100.127.255.255", "CGNAT")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.0.8", "IETF")]
    [InlineData("198.18.0.1", "benchmarking")]
    public void Classify_NonPublicIPv4_NamesTheRange(string address, string expected)
    {
        NetworkAddressPolicy.Classify(IPAddress.Parse(address)).ShouldNotBeNull().ShouldContain(expected);
    }

    [Theory]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456:789a::1", "unique-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::ffff:10.1.2.3", "private")]
    [InlineData("::ffff:192.168.0.1", "private")]
    [InlineData("::127.0.0.1", "loopback")]
    [InlineData("::10.0.0.1", "private")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    public void Classify_NonPublicIPv6_NamesTheRange(string address, string expected)
    {
        NetworkAddressPolicy.Classify(IPAddress.Parse(address)).ShouldNotBeNull().ShouldContain(expected);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.216.34")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("192.169.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:800::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Classify_PublicAddress_IsAllowed(string address)
    {
        NetworkAddressPolicy.IsPublic(IPAddress.Parse(address)).ShouldBeTrue();
    }
}
