using System.Net;
using System.Net.Sockets;
using Muster.Core.Net;

namespace Muster.Server.Tests.Webhooks;

/// <summary>DNS that answers from a table; a name can be re-pointed mid-test to play DNS rebinding.</summary>
internal sealed class FakeHostResolver : IHostResolver
{
    private readonly Dictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase);

    public FakeHostResolver Map(string host, params string[] addresses)
    {
        lock (_names)
        {
            _names[host] = [.. addresses.Select(IPAddress.Parse)];
        }

        return this;
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        lock (_names)
        {
            return _names.TryGetValue(host, out var addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
        }
    }
}
