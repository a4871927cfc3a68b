using System.Net;
using System.Net.Sockets;

namespace Muster.Server.Webhooks;

/// <summary>
/// Which addresses a webhook may reach: public unicast only, unless private networks are allowed. Blocks the
/// ranges SSRF aims at: loopback, RFC 1918, unique-local, link-local (cloud metadata at 169.254.169.254),
/// CGNAT, multicast, broadcast, unspecified and reserved, in IPv4, IPv6 and IPv4-mapped/compatible forms.
/// </summary>
internal static class NetworkAddressPolicy
{
    /// <summary>Why <paramref name="address"/> is not public, or null when it is.</summary>
    public static string? Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return Classify(address.MapToIPv4());
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ClassifyV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => ClassifyV6(address),
            _ => "not an IP address",
        };
    }

    public static bool IsPublic(IPAddress address) => Classify(address) is null;

    private static string? ClassifyV4(byte[] b) => (b[0], b[1]) switch
    {
        (0, _) => "unspecified (0.0.0.0/8)",
        (10, _) => "private (10.0.0.0/8)",
        (100, >= 64 and <= 127) => "shared CGNAT (100.64.0.0/10)",
        (127, _) => "loopback (127.0.0.0/8)",
        (169, 254) => "link-local (169.254.0.0/16)",
        (172, >= 16 and <= 31) => "private (172.16.0.0/12)",
        (192, 0) when b[2] == 0 => "IETF protocol assignments (192.0.0.0/24)",
        (192, 168) => "private (192.168.0.0/16)",
        (198, 18 or 19) => "benchmarking (198.18.0.0/15)",
        (>= 224 and <= 239, _) => "multicast (224.0.0.0/4)",
        (>= 240, _) => "reserved or broadcast (240.0.0.0/4)",
        _ => null,
    };

    private static string? ClassifyV6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6None))
        {
            return "unspecified (::)";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "loopback (::1)";
        }

        var b = address.GetAddressBytes();
        if (IsV4Compatible(b))
        {
            // ::a.b.c.d (deprecated IPv4-compatible form) reaches the embedded IPv4 address on some stacks.
            return ClassifyV4(b[12..]);
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            // NAT64 (64:ff9b::/96) translates to the embedded IPv4 address.
            return ClassifyV4(b[12..]);
        }

        return b[0] switch
        {
            0xff => "multicast (ff00::/8)",
            0xfc or 0xfd => "unique-local (fc00::/7)",
            0xfe when (b[1] & 0xc0) == 0x80 => "link-local (fe80::/10)",
            0xfe when (b[1] & 0xc0) == 0xc0 => "site-local (fec0::/10)",
            _ when b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 => "documentation (2001:db8::/32)",
            _ => null,
        };
    }

    private static bool IsV4Compatible(byte[] b)
    {
        for (var i = 0; i < 12; i++)
        {
            if (b[i] != 0)
            {
                return false;
            }
        }

        return true;
    }
}
