using System.Net;

namespace Muster.Core.Net;

/// <summary>DNS, behind a seam so tests can make a name resolve to any address (rebinding included).</summary>
public interface IHostResolver
{
    /// <summary>The addresses <paramref name="host"/> resolves to now.</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system's DNS.</summary>
public sealed class DnsHostResolver : IHostResolver
{
    /// <summary>The one instance (it holds no state).</summary>
    public static DnsHostResolver Instance { get; } = new();

    /// <inheritdoc />
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
