using System.Net;
using System.Net.Sockets;

namespace Muster.Core.Net;

/// <summary>
/// A <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host itself and connects only to addresses
/// <see cref="NetworkAddressPolicy"/> allows, so a name that resolved to a public address when it was checked and to an
/// internal one now (DNS rebinding), or a redirect to an internal name, is still refused. Checking the address actually
/// connected to is the only check that holds. Webhooks, MCP servers of ad-hoc crews and <c>http_fetch</c> all connect
/// through it.
/// </summary>
/// <param name="resolver">The DNS used for host names (IP literals are not resolved).</param>
/// <param name="allowPrivateNetworks">Lets every address through (local development and tests).</param>
/// <param name="advice">Ends the refusal message: what the reader can do about it.</param>
public sealed class GuardedConnector(IHostResolver resolver, bool allowPrivateNetworks, string advice)
{
    /// <summary>Connects to the first allowed address of the context's host that answers.</summary>
    /// <exception cref="DestinationRefusedException">The host resolves to no allowed address.</exception>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        var allowed = allowPrivateNetworks ? addresses : [.. addresses.Where(NetworkAddressPolicy.IsPublic)];
        if (allowed.Length == 0)
        {
            var reason = addresses.Length == 0
                ? "does not resolve"
                : $"resolves only to non-public addresses ({NetworkAddressPolicy.Classify(addresses[0])})";
            throw new DestinationRefusedException($"Host '{host}' {reason}; {advice}");
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}

/// <summary>A destination the SSRF guard does not allow (see <see cref="NetworkAddressPolicy"/>).</summary>
public sealed class DestinationRefusedException(string message) : Exception(message);
