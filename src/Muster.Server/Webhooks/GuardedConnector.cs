using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Muster.Server.Webhooks;

/// <summary>
/// The webhook client's <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host itself and connects only
/// to addresses the policy allows, so a name that resolved to a public address at kickoff and to an internal one now
/// (DNS rebinding) is still refused. Checking the address actually connected to is the only check that holds.
/// </summary>
internal sealed class GuardedConnector(IOptions<WebhookOptions> options, IHostResolver resolver)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        var allowed = options.Value.AllowPrivateNetworks ? addresses : addresses.Where(NetworkAddressPolicy.IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            var reason = addresses.Length == 0 ? "does not resolve" : $"resolves only to non-public addresses ({NetworkAddressPolicy.Classify(addresses[0])})";
            throw new WebhookDestinationRefusedException($"Host '{host}' {reason}; set Muster:Webhooks:AllowPrivateNetworks=true to allow it.");
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

/// <summary>The destination of a webhook (or of an ad-hoc crew's MCP server) is not allowed by the SSRF policy.</summary>
internal sealed class WebhookDestinationRefusedException(string message) : Exception(message);
