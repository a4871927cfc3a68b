using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Muster.Server.Tokens;

namespace Muster.Server.Protocols.Mcp;

/// <summary>
/// The runs behind <c>tools/call</c> requests, by caller and request id, so that a client's <c>notifications/cancelled</c>
/// stops the run. A dropped connection only ends the wait: the run goes on.
/// </summary>
/// <remarks>
/// The SDK cancels the call's wait before this handler sees the notification, so a call's entry outlives the call by
/// <see cref="Grace"/>; a later cancellation of a finished run changes nothing.
/// </remarks>
internal sealed class McpCancellations(ProtocolRuns runs, TimeProvider time)
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Owner, string RequestId), Call> _calls = new();

    public IDisposable Track(MusterPrincipal principal, RequestId requestId, Guid runId)
    {
        var now = time.GetUtcNow();
        foreach (var (key, old) in _calls)
        {
            if (old.EndedAt is { } ended && now - ended > Grace)
            {
                _calls.TryRemove(key, out _);
            }
        }

        var call = new Call(principal, runId);
        _calls[(principal.OwnerId, requestId.ToString())] = call;
        return new Registration(() => call.EndedAt = time.GetUtcNow());
    }

    /// <summary>
    /// An incoming-message filter that watches for <c>notifications/cancelled</c> (which the SDK handles itself, never
    /// passing it to notification handlers) and stops the cancelled call's run.
    /// </summary>
    public static McpMessageHandler Filter(McpMessageHandler next) => async (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcNotification { Method: NotificationMethods.CancelledNotification } notification
            && context.Services?.GetService<McpCancellations>() is { } cancellations)
        {
            await cancellations.OnCancelledAsync(notification, context.User);
        }

        await next(context, cancellationToken);
    };

    private async ValueTask OnCancelledAsync(JsonRpcNotification notification, ClaimsPrincipal? user)
    {
        var owner = user?.FindFirstValue(ClaimTypes.NameIdentifier);
        var cancelled = notification.Params?.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CancelledNotificationParams))) as CancelledNotificationParams;
        if (owner is null || cancelled?.RequestId is not { } requestId || !_calls.TryRemove((owner, requestId.ToString()), out var call))
        {
            return;
        }

        await runs.StopAsync(call.Principal, call.RunId, CancellationToken.None);
    }

    private sealed class Call(MusterPrincipal principal, Guid runId)
    {
        public MusterPrincipal Principal => principal;

        public Guid RunId => runId;

        public DateTimeOffset? EndedAt { get; set; }
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
