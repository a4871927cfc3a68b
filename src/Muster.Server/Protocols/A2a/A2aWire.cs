using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Storage;

namespace Muster.Server.Protocols.A2a;

/// <summary>
/// A run as an A2A task, in v1.0's JSON (<c>TASK_STATE_*</c>, parts <c>{text}</c> / <c>{data}</c>, results wrapped as
/// <c>{task}</c>, <c>{statusUpdate}</c>, <c>{artifactUpdate}</c>) or v0.3's (<c>kind</c> fields, lower-case states).
/// </summary>
internal sealed class A2aWire(bool legacy)
{
    public bool Legacy => legacy;

    public JsonObject Task(RunView view) => Task(view.Run);

    public JsonObject Task(RunRecord run)
    {
        var task = new JsonObject
        {
            ["id"] = run.Id.ToString(),
            ["contextId"] = run.Id.ToString(),
            ["status"] = Status(run),
            ["artifacts"] = run.State == RunState.Completed ? new JsonArray(Artifact(run)) : new JsonArray(),
        };
        if (legacy)
        {
            task["kind"] = "task";
        }

        return task;
    }

    /// <summary>What <c>SendMessage</c> answers, and the first event of a stream.</summary>
    public JsonObject TaskResult(RunView view) => TaskResult(view.Run);

    public JsonObject TaskResult(RunRecord run) => legacy ? Task(run) : new JsonObject { ["task"] = Task(run) };

    public JsonObject StatusUpdate(RunRecord run, JsonObject status, bool final)
    {
        var update = new JsonObject { ["taskId"] = run.Id.ToString(), ["contextId"] = run.Id.ToString(), ["status"] = status };
        if (!legacy)
        {
            return new JsonObject { ["statusUpdate"] = update };
        }

        update["kind"] = "status-update";
        update["final"] = final;
        return update;
    }

    public JsonObject ArtifactUpdate(RunRecord run)
    {
        var update = new JsonObject
        {
            ["taskId"] = run.Id.ToString(),
            ["contextId"] = run.Id.ToString(),
            ["artifact"] = Artifact(run),
            ["lastChunk"] = true,
        };
        if (!legacy)
        {
            return new JsonObject { ["artifactUpdate"] = update };
        }

        update["kind"] = "artifact-update";
        return update;
    }

    public JsonObject Status(RunRecord run)
    {
        var status = new JsonObject { ["state"] = State(run.State), ["timestamp"] = UtcTimestampJsonConverter.Format(DateTimeOffset.UtcNow) };
        var message = run.State switch
        {
            RunState.AwaitingHuman when run.PendingReview is { } review => Message(run,
                $"Task '{review.Name}' awaits review. Output under review:\n{review.Raw}\n\nReply on this task with \"approve\", or with feedback to run the task again (or data {{\"approve\": bool, \"feedback\": string}}).",
                new JsonObject { ["task_id"] = review.Name, ["output"] = review.Raw }),
            RunState.Failed or RunState.Stopped => Message(run, run.Error ?? "The run failed.", null),
            _ => null,
        };
        if (message is not null)
        {
            status["message"] = message;
        }

        return status;
    }

    /// <summary>A working status naming what the run does now.</summary>
    public JsonObject Working(RunRecord run, string text) => new()
    {
        ["state"] = State(RunState.Running),
        ["message"] = Message(run, text, null),
        ["timestamp"] = UtcTimestampJsonConverter.Format(DateTimeOffset.UtcNow),
    };

    private JsonObject Artifact(RunRecord run)
    {
        var parts = new JsonArray(TextPart(run.Result ?? ""));
        if (run.ResultJson is { } json)
        {
            parts.Add(DataPart(json.DeepClone()));
        }

        return new JsonObject { ["artifactId"] = "result", ["name"] = "result", ["parts"] = parts };
    }

    private JsonObject Message(RunRecord run, string text, JsonObject? data)
    {
        var parts = new JsonArray(TextPart(text));
        if (data is not null)
        {
            parts.Add(DataPart(data));
        }

        var message = new JsonObject
        {
            ["messageId"] = Guid.NewGuid().ToString(),
            ["role"] = legacy ? "agent" : "ROLE_AGENT",
            ["parts"] = parts,
            ["taskId"] = run.Id.ToString(),
            ["contextId"] = run.Id.ToString(),
        };
        if (legacy)
        {
            message["kind"] = "message";
        }

        return message;
    }

    private JsonObject TextPart(string text) => legacy ? new JsonObject { ["kind"] = "text", ["text"] = text } : new JsonObject { ["text"] = text };

    private JsonObject DataPart(JsonNode data) => legacy ? new JsonObject { ["kind"] = "data", ["data"] = data } : new JsonObject { ["data"] = data };

    private string State(RunState state)
    {
        var name = state switch
        {
            RunState.Pending => "submitted",
            RunState.Running => "working",
            RunState.AwaitingHuman => "input-required",
            RunState.Completed => "completed",
            RunState.Failed => "failed",
            _ => "canceled",
        };
        return legacy ? name : "TASK_STATE_" + name.Replace('-', '_').ToUpperInvariant();
    }
}
