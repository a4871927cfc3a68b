using System.Net;
using System.Net.Sockets;

namespace Muster.Core.Net;

/// <summary>
/// The SSRF guard's address rule, the one used for webhooks, MCP servers of ad-hoc crews and <c>http_fetch</c>: an address
/// is public unless it lies in a block of the IANA IPv4 or IPv6 Special-Purpose Address Registry, is multicast, or (IPv6)
/// lies outside global unicast (2000::/3). IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64
/// and 6to4) are judged by that IPv4 address, since that is what the packet reaches.
/// </summary>
public static class NetworkAddressPolicy
{
    // The IANA IPv4 Special-Purpose Address Registry (all of it, including the blocks it marks globally reachable: none
    // of them is a place a webhook or an agent has business calling), plus multicast. First match names the block.
    private static readonly AddressBlock[] V4Blocks =
    [
        new("0.0.0.0/8", "unspecified, \"this network\""),
        new("10.0.0.0/8", "private"),
        new("100.64.0.0/10", "shared CGNAT"),
        new("127.0.0.0/8", "loopback"),
        new("169.254.0.0/16", "link-local"),
        new("172.16.0.0/12", "private"),
        new("192.0.0.0/24", "IETF protocol assignments"),
        new("192.0.2.0/24", "documentation (TEST-NET-1)"),
        new("192.31.196.0/24", "AS112"),
        new("192.52.193.0/24", "AMT"),
        new("192.88.99.0/24", "6to4 relay anycast"),
        new("192.168.0.0/16", "private"),
        new("192.175.48.0/24", "AS112 direct delegation"),
        new("198.18.0.0/15", "benchmarking"),
        new("198.51.100.0/24", "documentation (TEST-NET-2)"),
        new("203.0.113.0/24", "documentation (TEST-NET-3)"),
        new("224.0.0.0/4", "multicast"),
        new("255.255.255.255/32", "limited broadcast"),
        new("240.0.0.0/4", "reserved"),
    ];

    // :: and ::1 lie inside ::/96 but are not IPv4-compatible addresses, so they are judged before the embeddings.
    private static readonly AddressBlock[] V6Exact =
    [
        new("::/128", "unspecified"),
        new("::1/128", "loopback"),
    ];

    // The rest of the IANA IPv6 Special-Purpose Address Registry, plus the deprecated site-local block and multicast.
    // Teredo is refused as a whole: its client's IPv4 address sits obfuscated behind a relay's, so there is no one IPv4
    // address to judge it by.
    private static readonly AddressBlock[] V6Blocks =
    [
        new("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
        new("100::/64", "discard-only"),
        new("100:0:0:1::/64", "dummy IPv6 prefix"),
        new("2001::/32", "Teredo"),
        new("2001:db8::/32", "documentation"),
        new("2001::/23", "IETF protocol assignments"),
        new("2620:4f:8000::/48", "AS112 direct delegation"),
        new("3fff::/20", "documentation"),
        new("5f00::/16", "segment routing SIDs"),
        new("fc00::/7", "unique-local"),
        new("fe80::/10", "link-local"),
        new("fec0::/10", "site-local"),
        new("ff00::/8", "multicast"),
    ];

    private static readonly AddressBlock GlobalUnicast = new("2000::/3", "global unicast");

    // Where an IPv6 address carries an IPv4 one: (block, offset of the IPv4 address's four bytes).
    private static readonly (AddressBlock Block, int Offset)[] Embedding =
    [
        (new("::ffff:0:0/96", "IPv4-mapped"), 12),
        (new("::/96", "IPv4-compatible"), 12),
        (new("64:ff9b::/96", "NAT64"), 12),
        (new("2002::/16", "6to4"), 2),
    ];

    /// <summary>Why <paramref name="address"/> is not public (the block's name and range), or null when it is.</summary>
    public static string? Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ClassifyV4(bytes),
            AddressFamily.InterNetworkV6 => ClassifyV6(bytes),
            _ => "not an IP address",
        };
    }

    /// <summary>True when <paramref name="address"/> is in none of the refused blocks.</summary>
    public static bool IsPublic(IPAddress address) => Classify(address) is null;

    private static string? ClassifyV4(ReadOnlySpan<byte> address) => FirstContaining(V4Blocks, address)?.Describe();

    private static string? ClassifyV6(byte[] address)
    {
        if (FirstContaining(V6Exact, address) is { } exact)
        {
            return exact.Describe();
        }

        foreach (var (block, offset) in Embedding)
        {
            if (block.Contains(address))
            {
                return ClassifyV4(address.AsSpan(offset, 4)) is { } why ? $"{why}, embedded in {block.Describe()}" : null;
            }
        }

        if (FirstContaining(V6Blocks, address) is { } special)
        {
            return special.Describe();
        }

        return GlobalUnicast.Contains(address) ? null : "reserved by the IETF (outside global unicast 2000::/3)";
    }

    private static AddressBlock? FirstContaining(AddressBlock[] blocks, ReadOnlySpan<byte> address)
    {
        foreach (var block in blocks)
        {
            if (block.Contains(address))
            {
                return block;
            }
        }

        return null;
    }

    private sealed class AddressBlock
    {
        private readonly byte[] _prefix;
        private readonly int _length;
        private readonly string _cidr;
        private readonly string _name;

        public AddressBlock(string cidr, string name)
        {
            var slash = cidr.IndexOf('/', StringComparison.Ordinal);
            _prefix = IPAddress.Parse(cidr.AsSpan(0, slash)).GetAddressBytes();
            _length = int.Parse(cidr.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
            _cidr = cidr;
            _name = name;
        }

        public bool Contains(ReadOnlySpan<byte> address)
        {
            if (address.Length != _prefix.Length)
            {
                return false;
            }

            var whole = _length / 8;
            if (!address[..whole].SequenceEqual(_prefix.AsSpan(0, whole)))
            {
                return false;
            }

            var bits = _length % 8;
            var mask = (byte)(0xff << (8 - bits));
            return bits == 0 || (address[whole] & mask) == (_prefix[whole] & mask);
        }

        public string Describe() => $"{_name} ({_cidr})";
    }
}
