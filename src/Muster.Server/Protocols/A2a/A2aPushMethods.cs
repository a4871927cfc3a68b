using System.Text.Json.Nodes;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Protocols.A2a;

/// <summary>
/// The push notification config methods of one task (v1.0 <c>Create/Get/List/DeleteTaskPushNotificationConfig</c>, v0.3
/// <c>tasks/pushNotificationConfig/set|get|list|delete</c>). Configs live in the run's webhook settings; only the task's owner
/// reaches them, and their URLs pass the webhooks' SSRF rules.
/// </summary>
internal sealed class A2aPushMethods(
    ProtocolRuns runs, IWebhookUrlValidator urls, JsonNode? id, JsonObject parameters, bool legacy,
    Func<Func<RunView, CancellationToken, Task<JsonObject?>>, string?, CancellationToken, Task<JsonObject?>> withTask)
{
    public const string Set = "push-set";
    public const string Get = "push-get";
    public const string List = "push-list";
    public const string Delete = "push-delete";

    public async Task<JsonObject?> RunAsync(string operation, CancellationToken cancellationToken)
    {
        // v1.0 names the task taskId everywhere; v0.3 names it id, except in set (taskId) where id is none of its own.
        var taskId = legacy && operation != Set ? Text("id") : Text("taskId");
        var configId = legacy ? Text("pushNotificationConfigId") : Text("id");
        if (taskId is null)
        {
            return A2aErrors.Response(id, A2aErrors.InvalidParams, $"params.{(legacy && operation != Set ? "id" : "taskId")}, the task's id, is required.");
        }

        return operation switch
        {
            Set => await withTask((view, token) => CreateAsync(view, token), taskId, cancellationToken),
            Get => await withTask((view, _) => Task.FromResult<JsonObject?>(Read(view, configId)), taskId, cancellationToken),
            List => await withTask((view, _) => Task.FromResult<JsonObject?>(A2aErrors.Result(id, ListOf(view))), taskId, cancellationToken),
            _ => await withTask((view, token) => DeleteAsync(view, configId, token), taskId, cancellationToken),
        };
    }

    /// <summary>
    /// Checks a config sent by a client: null and the config when it can be taken, else the JSON-RPC error. A URL the
    /// webhooks' SSRF rules refuse is invalid params.
    /// </summary>
    public static async Task<(PushNotificationConfig? Config, JsonObject? Error)> CheckAsync(
        JsonObject node, bool legacy, IWebhookUrlValidator urls, JsonNode? id, CancellationToken cancellationToken)
    {
        var (config, problem) = A2aPushConfigs.Parse(node, legacy);
        if (config is null)
        {
            return (null, A2aErrors.Response(id, A2aErrors.InvalidParams, problem!));
        }

        if (await urls.CheckUrlAsync(config.Url, cancellationToken) is { } refusal)
        {
            return (null, A2aErrors.Response(id, A2aErrors.InvalidParams, $"The push notification URL is refused: it {refusal}."));
        }

        return (config, null);
    }

    /// <summary>Adds <paramref name="config"/> to the task's; null when done, else the JSON-RPC error.</summary>
    public static async Task<JsonObject?> AddAsync(ProtocolRuns runs, RunView view, PushNotificationConfig config, JsonNode? id, CancellationToken cancellationToken)
    {
        var existing = view.Run.Webhooks.PushConfigs ?? [];
        if (existing.Count >= A2aPushConfigs.MaxPerTask && existing.All(c => c.Id != config.Id))
        {
            return A2aErrors.Response(id, A2aErrors.InvalidParams, $"Task {view.Run.Id} has {A2aPushConfigs.MaxPerTask} push notification configs already; delete one first.");
        }

        var stored = await runs.UpdateWebhooksAsync(view, settings => A2aPushConfigs.With(settings, config), cancellationToken);
        return stored is null ? A2aErrors.Response(id, A2aErrors.TaskNotFound, $"Task '{view.Run.Id}' not found.") : null;
    }

    private async Task<JsonObject?> CreateAsync(RunView view, CancellationToken cancellationToken)
    {
        var node = legacy ? parameters["pushNotificationConfig"] as JsonObject : parameters;
        if (node is null)
        {
            return A2aErrors.Response(id, A2aErrors.InvalidParams, "params.pushNotificationConfig with a url is required.");
        }

        var (config, error) = await CheckAsync(node, legacy, urls, id, cancellationToken);
        if (config is null)
        {
            return error;
        }

        return await AddAsync(runs, view, config, id, cancellationToken)
            ?? A2aErrors.Result(id, A2aPushConfigs.ToJson(config, view.Run.Id, legacy));
    }

    private JsonObject Read(RunView view, string? configId)
    {
        var configs = view.Run.Webhooks.PushConfigs ?? [];
        // v0.3 lets a client ask for "the" config of a task without naming it.
        var config = configId is null && legacy ? configs.FirstOrDefault() : configs.FirstOrDefault(c => c.Id == configId);
        if (configId is null && !legacy)
        {
            return A2aErrors.Response(id, A2aErrors.InvalidParams, "params.id, the push notification config's id, is required.");
        }

        return config is null
            ? A2aErrors.Response(id, A2aErrors.InvalidParams, $"Task {view.Run.Id} has no push notification config '{configId}'.")
            : A2aErrors.Result(id, A2aPushConfigs.ToJson(config, view.Run.Id, legacy));
    }

    private JsonNode ListOf(RunView view)
    {
        var configs = new JsonArray([.. (view.Run.Webhooks.PushConfigs ?? []).Select(c => (JsonNode)A2aPushConfigs.ToJson(c, view.Run.Id, legacy))]);
        return legacy ? configs : new JsonObject { ["configs"] = configs, ["nextPageToken"] = "" };
    }

    // Deleting a config that is not there succeeds: the spec makes delete idempotent.
    private async Task<JsonObject?> DeleteAsync(RunView view, string? configId, CancellationToken cancellationToken)
    {
        if (configId is null)
        {
            return A2aErrors.Response(id, A2aErrors.InvalidParams, legacy
                ? "params.pushNotificationConfigId, the config's id, is required."
                : "params.id, the push notification config's id, is required.");
        }

        await runs.UpdateWebhooksAsync(view, settings => A2aPushConfigs.Without(settings, configId), cancellationToken);
        return A2aErrors.Result(id, legacy ? null : new JsonObject());
    }

    private string? Text(string name) => parameters[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
