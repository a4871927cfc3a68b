using System.Text.Json.Nodes;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Protocols.A2a;

/// <summary>
/// What a task's push notification configs are sent, through the webhook outbox: on each change of the task's state
/// (working, input-required, completed, failed, canceled) the task as it is then, as a stream response <c>{task}</c> (v1.0)
/// or a bare task (v0.3 configs). The config's token and credentials ride with the delivery as its headers.
/// </summary>
internal static class A2aPushNotifications
{
    public const string TokenHeader = "X-A2A-Notification-Token";

    /// <summary>Whether <paramref name="runEvent"/> changes the task's state, so the run's configs are owed a notification.</summary>
    public static bool ChangesState(RunEvent runEvent) =>
        runEvent.Data is CrewKickoffStarted or TaskAwaitingHuman or CrewKickoffCompleted or CrewKickoffFailed;

    /// <summary>
    /// One body per config of the run, from the run as <paramref name="runEvent"/> leaves it; null when none is owed (most
    /// events of most runs: nothing is made for them).
    /// </summary>
    public static List<(PushNotificationConfig Config, string Payload)>? Plan(RunRecord before, RunEvent runEvent)
    {
        if (before.Webhooks.PushConfigs is not { Count: > 0 } configs || !ChangesState(runEvent))
        {
            return null;
        }

        var after = RunProjection.Apply(before, runEvent);
        string? v1 = null;
        string? v03 = null;
        return [.. configs.Select(config => (config, config.Legacy
            ? v03 ??= new A2aWire(legacy: true).TaskResult(after).ToJsonString()
            : v1 ??= new A2aWire(legacy: false).TaskResult(after).ToJsonString()))];
    }

    /// <summary>The headers a config asks for, kept with its deliveries (in their authentication column).</summary>
    public static string Headers(PushNotificationConfig config) =>
        new JsonObject { ["scheme"] = config.Scheme, ["credentials"] = config.Credentials, ["token"] = config.Token }.ToJsonString();

    public static void Apply(HttpRequestMessage request, string? headers)
    {
        if (headers is null || JsonNode.Parse(headers) is not JsonObject stored)
        {
            return;
        }

        if (stored["token"] is JsonValue token && token.TryGetValue<string>(out var value))
        {
            request.Headers.TryAddWithoutValidation(TokenHeader, value);
        }

        if (stored["scheme"] is JsonValue scheme && scheme.TryGetValue<string>(out var name))
        {
            request.Headers.Authorization = stored["credentials"] is JsonValue c && c.TryGetValue<string>(out var credentials)
                ? new System.Net.Http.Headers.AuthenticationHeaderValue(name, credentials)
                : new System.Net.Http.Headers.AuthenticationHeaderValue(name);
        }
    }
}
