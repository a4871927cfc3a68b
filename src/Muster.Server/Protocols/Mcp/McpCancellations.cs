using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Muster.Server.Auth;

namespace Muster.Server.Protocols.Mcp;

/// <summary>
/// The runs behind <c>tools/call</c> requests in flight, by caller and request id, so that a client's
/// <c>notifications/cancelled</c> stops the run. A dropped connection only ends the wait: the run goes on.
/// </summary>
internal sealed class McpCancellations(ProtocolRuns runs)
{
    private readonly ConcurrentDictionary<(string Owner, string RequestId), (MusterPrincipal Principal, Guid RunId)> _calls = new();

    public IDisposable Track(MusterPrincipal principal, RequestId requestId, Guid runId)
    {
        var key = (principal.OwnerId, requestId.ToString());
        _calls[key] = (principal, runId);
        return new Registration(() => _calls.TryRemove(key, out _));
    }

    /// <summary>The server's handler for <c>notifications/cancelled</c>; the SDK's own handling cancels the request's wait.</summary>
    public async ValueTask OnCancelledAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        var owner = notification.Context?.User?.FindFirstValue(ClaimTypes.NameIdentifier);
        var cancelled = notification.Params?.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CancelledNotificationParams))) as CancelledNotificationParams;
        if (owner is null || cancelled?.RequestId is not { } requestId || !_calls.TryRemove((owner, requestId.ToString()), out var call))
        {
            return;
        }

        await runs.StopAsync(call.Principal, call.RunId, CancellationToken.None);
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
