using System.Text.Json.Nodes;
using Muster.Storage;

namespace Muster.Server.Protocols.A2a;

/// <summary>
/// A2A push notification configs on the wire: v1.0's flat <c>TaskPushNotificationConfig</c>
/// (<c>{id, taskId, url, token, authentication: {scheme, credentials}}</c>) and v0.3's
/// (<c>{taskId, pushNotificationConfig: {id, url, token, authentication: {schemes, credentials}}}</c>).
/// </summary>
internal static class A2aPushConfigs
{
    /// <summary>More configs than this on one task are refused: each costs a delivery per state change.</summary>
    public const int MaxPerTask = 10;

    /// <summary>The config a client sent (either shape is read, whichever version it speaks), or why it cannot be taken.</summary>
    public static (PushNotificationConfig? Config, string? Problem) Parse(JsonObject node, bool legacy)
    {
        var url = Text(node, "url");
        if (string.IsNullOrWhiteSpace(url))
        {
            return (null, "A push notification config needs a \"url\".");
        }

        var id = Text(node, "id");
        if (id is { Length: > 200 })
        {
            return (null, "A push notification config's \"id\" is at most 200 characters.");
        }

        string? scheme = null;
        string? credentials = null;
        if (node["authentication"] is JsonObject authentication)
        {
            scheme = Text(authentication, "scheme")
                ?? (authentication["schemes"] as JsonArray)?.Select(s => s is JsonValue v && v.TryGetValue<string>(out var t) ? t : null).FirstOrDefault(s => s is not null);
            credentials = Text(authentication, "credentials");
            if (scheme is null || scheme.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.'))
            {
                return (null, "A push notification config's \"authentication\" needs a \"scheme\" (an HTTP authentication scheme such as Bearer or Basic).");
            }
        }

        var token = Text(node, "token");
        if ((token ?? "").Any(char.IsControl) || (credentials ?? "").Any(char.IsControl))
        {
            return (null, "A push notification config's \"token\" and \"credentials\" are sent as HTTP headers: they cannot hold control characters.");
        }

        return (new PushNotificationConfig
        {
            Id = string.IsNullOrEmpty(id) ? Guid.NewGuid().ToString() : id,
            Url = url,
            Token = string.IsNullOrEmpty(token) ? null : token,
            Scheme = scheme,
            Credentials = credentials,
            Legacy = legacy,
        }, null);
    }

    public static JsonObject ToJson(PushNotificationConfig config, Guid taskId, bool legacy)
    {
        var details = new JsonObject { ["id"] = config.Id, ["url"] = config.Url };
        if (config.Token is not null)
        {
            details["token"] = config.Token;
        }

        if (config.Scheme is not null)
        {
            details["authentication"] = legacy
                ? new JsonObject { ["schemes"] = new JsonArray(config.Scheme), ["credentials"] = config.Credentials }
                : new JsonObject { ["scheme"] = config.Scheme, ["credentials"] = config.Credentials };
        }

        if (legacy)
        {
            return new JsonObject { ["taskId"] = taskId.ToString(), ["pushNotificationConfig"] = details };
        }

        var flat = new JsonObject { ["id"] = config.Id, ["taskId"] = taskId.ToString() };
        foreach (var (name, value) in details.ToList())
        {
            if (name != "id")
            {
                details.Remove(name);
                flat[name] = value;
            }
        }

        return flat;
    }

    /// <summary>The settings with <paramref name="config"/> added, replacing one of the same id.</summary>
    public static WebhookSettings With(WebhookSettings settings, PushNotificationConfig config) => settings with
    {
        PushConfigs = [.. (settings.PushConfigs ?? []).Where(c => c.Id != config.Id), config],
    };

    public static WebhookSettings Without(WebhookSettings settings, string id) => settings with
    {
        PushConfigs = settings.PushConfigs is { } configs && configs.Any(c => c.Id == id) ? [.. configs.Where(c => c.Id != id)] : settings.PushConfigs,
    };

    private static string? Text(JsonObject node, string name) => node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
