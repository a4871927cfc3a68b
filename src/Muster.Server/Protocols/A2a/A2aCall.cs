using System.Text;
using System.Text.Json.Nodes;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Server.Tokens;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Protocols.A2a;

/// <summary>One A2A JSON-RPC call on a crew: each method over <see cref="ProtocolRuns"/>; a task is a run, its id the run's.</summary>
internal sealed class A2aCall(
    HttpContext context, MusterPrincipal principal, ProtocolRuns runs, CrewDefinition crew, JsonNode? id, JsonObject parameters, A2aWire wire)
{
    private bool _streaming;

    /// <summary>The JSON-RPC response, or null when the call answered with a stream it already wrote.</summary>
    public async Task<JsonObject?> RunAsync(string operation, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "send":
            case "stream":
                var (runId, after, error) = await StartOrResumeAsync(cancellationToken);
                if (error is not null)
                {
                    return error;
                }

                if (operation == "stream")
                {
                    await StreamAsync(runId, after, cancellationToken);
                    return null;
                }

                if (!ReturnsImmediately())
                {
                    await foreach (var _ in runs.WatchAsync(principal, runId, after, cancellationToken))
                    {
                    }
                }

                return await TaskResponseAsync(runId, cancellationToken);
            case "get":
                return await WithTaskAsync(async (view, _) => A2aErrors.Result(id, wire.Task(view)), cancellationToken);
            case "cancel":
                return await WithTaskAsync(CancelAsync, cancellationToken);
            case "subscribe":
                return await WithTaskAsync(async (view, token) =>
                {
                    if (view.Run.State.IsFinished())
                    {
                        return A2aErrors.Response(id, A2aErrors.UnsupportedOperation, $"Task {view.Run.Id} has finished ({wire.Status(view.Run)["state"]}); read it with GetTask.");
                    }

                    await StreamAsync(view.Run.Id, view.Run.LastSequence, token);
                    return null;
                }, cancellationToken);
            default:
                return await new A2aPushMethods(runs, Urls, id, parameters, wire.Legacy, WithTaskAsync).RunAsync(operation, cancellationToken);
        }
    }

    private async Task<JsonObject?> CancelAsync(RunView view, CancellationToken cancellationToken)
    {
        var stopped = await runs.StopAsync(principal, view.Run.Id, cancellationToken);
        if (stopped.Outcome == StopOutcome.AlreadyFinished)
        {
            return A2aErrors.Response(id, A2aErrors.TaskNotCancelable, $"Task {view.Run.Id} has already finished; it cannot be canceled.");
        }

        // A run executing on some node stops at its next step: answer once it has.
        await foreach (var _ in runs.WatchAsync(principal, view.Run.Id, view.Run.LastSequence, cancellationToken))
        {
        }

        return await TaskResponseAsync(view.Run.Id, cancellationToken, wrap: false);
    }

    private IWebhookUrlValidator Urls => context.RequestServices.GetRequiredService<IWebhookUrlValidator>();

    private Task<JsonObject?> WithTaskAsync(Func<RunView, CancellationToken, Task<JsonObject?>> action, CancellationToken cancellationToken) =>
        WithTaskAsync(action, parameters["id"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null, cancellationToken);

    private async Task<JsonObject?> WithTaskAsync(Func<RunView, CancellationToken, Task<JsonObject?>> action, string? taskId, CancellationToken cancellationToken)
    {
        if (taskId is null)
        {
            return A2aErrors.Response(id, A2aErrors.InvalidParams, "params.id, the task's id, is required.");
        }

        var view = Guid.TryParse(taskId, out var runId) ? await runs.GetAsync(principal, runId, cancellationToken) : null;
        if (view is null || view.Run.AdHoc || view.Run.CrewName != crew.Name)
        {
            return A2aErrors.Response(id, A2aErrors.TaskNotFound, $"Task '{taskId}' not found.");
        }

        return await action(view, cancellationToken);
    }

    /// <summary>A new run from the message's inputs, or the answer to the review a paused run awaits when the message names its task.</summary>
    private async Task<(Guid RunId, long After, JsonObject? Error)> StartOrResumeAsync(CancellationToken cancellationToken)
    {
        if (parameters["message"] is not JsonObject message || message["parts"] is not JsonArray parts)
        {
            return (default, 0, A2aErrors.Response(id, A2aErrors.InvalidParams, "params.message with parts is required."));
        }

        PushNotificationConfig? push = null;
        if (PushConfigNode() is { } pushNode)
        {
            var (config, pushError) = await A2aPushMethods.CheckAsync(pushNode, wire.Legacy, Urls, id, cancellationToken);
            if (config is null)
            {
                return (default, 0, pushError);
            }

            push = config;
        }

        var text = string.Join("\n", parts.OfType<JsonObject>().Select(p => p["text"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : null).OfType<string>());
        var data = parts.OfType<JsonObject>().Select(p => p["data"]).OfType<JsonObject>().FirstOrDefault();
        var taskId = message["taskId"] is JsonValue tv && tv.TryGetValue<string>(out var tid) && tid.Length > 0 ? tid : null;
        if (taskId is not null)
        {
            var view = Guid.TryParse(taskId, out var existing) ? await runs.GetAsync(principal, existing, cancellationToken) : null;
            if (view is null || view.Run.AdHoc || view.Run.CrewName != crew.Name)
            {
                return (default, 0, A2aErrors.Response(id, A2aErrors.TaskNotFound, $"Task '{taskId}' not found."));
            }

            if (push is not null && await A2aPushMethods.AddAsync(runs, view, push, id, cancellationToken) is { } addError)
            {
                return (default, 0, addError);
            }

            var (approve, feedback) = Review(data, text);
            var outcome = await runs.ResumeAsync(principal, existing, approve, feedback, cancellationToken);
            return outcome == ResumeOutcome.Resumed
                ? (existing, view.Run.LastSequence, null)
                : (default, 0, A2aErrors.Response(id, A2aErrors.UnsupportedOperation, $"Task {existing} does not await input (it is {wire.Status(view.Run)["state"]})."));
        }

        var inputs = data is not null ? (JsonObject)data.DeepClone() : CrewDescriptions.FromText(crew, text);
        if (inputs is null)
        {
            return (default, 0, A2aErrors.Response(id, A2aErrors.InvalidParams,
                $"The crew '{crew.Name}' takes the inputs {string.Join(", ", crew.Inputs)}: send them as a data part {{\"data\": {{...}}}}" + (crew.Inputs.Count == 1 ? ", or as text." : ".")));
        }

        var started = await runs.StartAsync(principal, crew, inputs, ProtocolRuns.A2a, runId: null,
            push is null ? null : new WebhookSettings { PushConfigs = [push] }, cancellationToken);
        return started.RunId is { } runId
            ? (runId, 0, null)
            : (default, 0, A2aErrors.Response(id, A2aErrors.InvalidParams, started.Problem!));
    }

    /// <summary>A config in SendMessage's configuration: v1.0's <c>taskPushNotificationConfig</c>, v0.3's <c>pushNotificationConfig</c>.</summary>
    private JsonObject? PushConfigNode() =>
        parameters["configuration"] is JsonObject configuration
            ? configuration["taskPushNotificationConfig"] as JsonObject ?? configuration["pushNotificationConfig"] as JsonObject
            : null;

    /// <summary><c>{approve, feedback}</c> as data, or text: "approve" (or yes, ok, lgtm) approves; any other text is feedback.</summary>
    private static (bool Approve, string Feedback) Review(JsonObject? data, string text)
    {
        if (data is not null && data["approve"] is JsonValue approveValue && approveValue.TryGetValue<bool>(out var approve))
        {
            return (approve, data["feedback"] is JsonValue f && f.TryGetValue<string>(out var feedback) ? feedback : "");
        }

        var trimmed = text.Trim().TrimEnd('.', '!').ToLowerInvariant();
        return trimmed is "approve" or "approved" or "yes" or "ok" or "lgtm" ? (true, "") : (false, text.Trim());
    }

    private bool ReturnsImmediately() =>
        parameters["configuration"] is JsonObject configuration
        && ((configuration["returnImmediately"] is JsonValue r && r.TryGetValue<bool>(out var immediately) && immediately)
            || (configuration["blocking"] is JsonValue b && b.TryGetValue<bool>(out var blocking) && !blocking));

    private async Task<JsonObject> TaskResponseAsync(Guid runId, CancellationToken cancellationToken, bool wrap = true)
    {
        var view = await runs.GetAsync(principal, runId, cancellationToken);
        return view is null
            ? A2aErrors.Response(id, A2aErrors.TaskNotFound, $"Task '{runId}' not found.")
            : A2aErrors.Result(id, wrap ? wire.TaskResult(view) : wire.Task(view));
    }

    /// <summary>
    /// The token was revoked while this call waited on its task: a JSON-RPC error ends the call, as the last event of its
    /// stream when it streams (the official clients then throw it), or as its answer. The task goes on.
    /// </summary>
    public async Task EndRevokedAsync(TokenRevokedException revoked, CancellationToken cancellationToken)
    {
        var error = A2aErrors.Response(id, A2aErrors.InvalidRequest, revoked.Message);
        if (_streaming)
        {
            await SendFrameAsync(error, cancellationToken);
        }
        else
        {
            await A2aEndpoints.WriteAsync(context, error, cancellationToken);
        }
    }

    /// <summary>
    /// Server-sent events: the task first, a working status per task started, the artifact, then the final status. A client
    /// that leaves ends only its stream; the run goes on.
    /// </summary>
    private async Task StreamAsync(Guid runId, long after, CancellationToken cancellationToken)
    {
        _streaming = true;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var view = await runs.GetAsync(principal, runId, cancellationToken);
        if (view is null)
        {
            return;
        }

        await SendAsync(wire.TaskResult(view), cancellationToken);
        await foreach (var runEvent in runs.WatchAsync(principal, runId, after, cancellationToken))
        {
            if (runEvent.Type == RunEventTypes.TaskStarted)
            {
                await SendAsync(wire.StatusUpdate(view.Run, wire.Working(view.Run, $"Task '{runEvent.Text("task_name")}' started."), final: false), cancellationToken);
            }
        }

        view = await runs.GetAsync(principal, runId, cancellationToken);
        if (view is null)
        {
            return;
        }

        if (view.Run.State == RunState.Completed)
        {
            await SendAsync(wire.ArtifactUpdate(view.Run), cancellationToken);
        }

        await SendAsync(wire.StatusUpdate(view.Run, wire.Status(view.Run), final: true), cancellationToken);
    }

    private Task SendAsync(JsonObject result, CancellationToken cancellationToken) => SendFrameAsync(A2aErrors.Result(id, result), cancellationToken);

    private async Task SendFrameAsync(JsonObject response, CancellationToken cancellationToken)
    {
        var frame = $"data: {response.ToJsonString()}\n\n";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
