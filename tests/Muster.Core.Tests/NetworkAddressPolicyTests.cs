using System.Net;
using Muster.Core.Net;

namespace Muster.Core.Tests;

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
    [InlineData("192.0.0.171", "IETF")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("192.0.2.1", "documentation (TEST-NET-1)")]
    [InlineData("198.51.100.1", "documentation (TEST-NET-2)")]
    [InlineData("203.0.113.1", "documentation (TEST-NET-3)")]
    [InlineData("192.88.99.1", "6to4 relay anycast")]
    [InlineData("192.31.196.1", "AS112")]
    [InlineData("192.52.193.1", "AMT")]
    [InlineData("192.175.48.1", "AS112")]
    public void Classify_SpecialPurposeIPv4_NamesTheBlock(string address, string expected)
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
    [InlineData("3fff::1", "documentation")]
    [InlineData("100::1", "discard-only")]
    [InlineData("100:0:0:1::1", "dummy")]
    [InlineData("2001::1", "Teredo")]
    [InlineData("2001:2::1", "IETF protocol assignments")]
    [InlineData("2001:1ff::1", "IETF protocol assignments")]
    [InlineData("2620:4f:8000::1", "AS112")]
    [InlineData("5f00::1", "segment routing")]
    [InlineData("64:ff9b:1::1", "local-use")]
    [InlineData("4000::1", "outside global unicast")]
    [InlineData("1::1", "outside global unicast")]
    public void Classify_SpecialPurposeIPv6_NamesTheBlock(string address, string expected)
    {
        NetworkAddressPolicy.Classify(IPAddress.Parse(address)).ShouldNotBeNull().ShouldContain(expected);
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1", "loopback", "IPv4-mapped")]
    [InlineData("::ffff:169.254.169.254", "link-local", "IPv4-mapped")]
    [InlineData("::ffff:10.1.2.3", "private", "IPv4-mapped")]
    [InlineData("::ffff:192.0.2.1", "documentation", "IPv4-mapped")]
    [InlineData("::127.0.0.1", "loopback", "IPv4-compatible")]
    [InlineData("::10.0.0.1", "private", "IPv4-compatible")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local", "NAT64")]
    [InlineData("64:ff9b::7f00:1", "loopback", "NAT64")]
    [InlineData("2002:7f00:1::1", "loopback", "6to4")]
    [InlineData("2002:a9fe:a9fe::", "link-local", "6to4")]
    [InlineData("2002:c000:0201::1", "documentation", "6to4")]
    public void Classify_IPv6CarryingANonPublicIPv4Address_IsJudgedByThatAddress(string address, string expected, string form)
    {
        var why = NetworkAddressPolicy.Classify(IPAddress.Parse(address)).ShouldNotBeNull();

        why.ShouldContain(expected);
        why.ShouldContain(form);
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
    [InlineData("192.0.1.255")]
    [InlineData("192.0.3.0")]
    [InlineData("192.169.0.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("203.0.112.255")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:800::200e")]
    [InlineData("2001:200::1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Classify_PublicAddress_IsAllowed(string address)
    {
        NetworkAddressPolicy.Classify(IPAddress.Parse(address)).ShouldBeNull();
        NetworkAddressPolicy.IsPublic(IPAddress.Parse(address)).ShouldBeTrue();
    }
}
