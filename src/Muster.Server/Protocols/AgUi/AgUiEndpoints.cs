using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Protocols.AgUi;

/// <summary>
/// AG-UI at <c>POST /crews/{crew}/agui</c>: <c>RunAgentInput</c> in, events out. The thread id is the run's kickoff id: a new
/// thread starts a run, a thread whose run goes on streams from where it is, and <c>resume</c> answers its review. A stream
/// whose token is revoked ends with RUN_ERROR <c>TOKEN_REVOKED</c>.
/// </summary>
internal static class AgUiEndpoints
{
    public static void Map(WebApplication app) =>
        app.MapPost("/crews/{crew}/agui", HandleAsync).WithTags("AG-UI").WithSummary("Run a crew as an AG-UI agent (server-sent events)");

    private static async Task HandleAsync(string crew, HttpContext context, MusterPrincipal principal, ProtocolRuns runs, CancellationToken cancellationToken)
    {
        var events = new AgUiEvents(context.Response);
        await events.StartAsync(cancellationToken);
        JsonObject? input;
        try
        {
            input = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellationToken) as JsonObject;
        }
        catch (JsonException ex)
        {
            await events.ErrorAsync("INVALID_INPUT", $"The body is not JSON: {ex.Message}", cancellationToken);
            return;
        }

        if (input is null)
        {
            await events.ErrorAsync("INVALID_INPUT", "The body must be a RunAgentInput object.", cancellationToken);
            return;
        }

        var definition = runs.Crew(principal, crew);
        if (definition is null)
        {
            await events.ErrorAsync("CREW_NOT_FOUND", $"Crew '{crew}' not found (or not covered by this token).", cancellationToken);
            return;
        }

        var threadText = Text(input["threadId"]);
        if (!Guid.TryParse(threadText, out var threadId))
        {
            await events.ErrorAsync("INVALID_THREAD_ID", $"threadId must be a UUID (it becomes the run's kickoff id); got '{threadText}'.", cancellationToken);
            return;
        }

        var agUiRunId = Text(input["runId"]) is { Length: > 0 } given ? given : Guid.NewGuid().ToString();
        var view = await runs.GetAsync(principal, threadId, cancellationToken);
        long after;
        if (view is null)
        {
            if (await runs.ExistsAsync(threadId, cancellationToken))
            {
                await events.ErrorAsync("THREAD_NOT_FOUND", $"Thread {threadId} belongs to another owner.", cancellationToken);
                return;
            }

            var inputs = Inputs(definition, input);
            if (inputs is null)
            {
                await events.ErrorAsync("INVALID_INPUT",
                    $"The crew '{definition.Name}' takes the inputs {string.Join(", ", definition.Inputs)}: send forwardedProps.inputs or state.inputs" + (definition.Inputs.Count == 1 ? ", or a user message." : "."), cancellationToken);
                return;
            }

            var started = await runs.StartAsync(principal, definition, inputs, ProtocolRuns.AgUi, threadId, webhooks: null, cancellationToken);
            if (started.RunId is null)
            {
                await events.ErrorAsync("INVALID_INPUT", started.Problem!, cancellationToken);
                return;
            }

            if (started.IdTaken)
            {
                var taken = await runs.GetAsync(principal, threadId, cancellationToken);
                if (taken is null || taken.Run.AdHoc || taken.Run.CrewName != definition.Name)
                {
                    await events.ErrorAsync("THREAD_NOT_FOUND", $"Thread {threadId} was just taken by another request's run, of another owner or crew.", cancellationToken);
                    return;
                }
            }

            // A request racing this one on the same new thread started its run first: stream that run, as a reconnect does
            // (from its start, since this client has seen none of it). Another owner's is refused by the stream.
            after = 0;
        }
        else if (view.Run.AdHoc || view.Run.CrewName != definition.Name)
        {
            await events.ErrorAsync("THREAD_NOT_FOUND", $"Thread {threadId} is not a thread of crew '{definition.Name}'.", cancellationToken);
            return;
        }
        else if (input["resume"] is JsonArray { Count: > 0 } resume)
        {
            if (view.Run.State != RunState.AwaitingHuman)
            {
                await events.ErrorAsync("NOT_INTERRUPTED", $"Thread {threadId}'s run awaits no review (it is {view.Run.State}).", cancellationToken);
                return;
            }

            var (approve, feedback) = Review(resume[0] as JsonObject);
            if (await runs.ResumeAsync(principal, threadId, approve, feedback, cancellationToken) != ResumeOutcome.Resumed)
            {
                await events.ErrorAsync("NOT_INTERRUPTED", $"Thread {threadId}'s run awaits no review any more.", cancellationToken);
                return;
            }

            after = view.Run.LastSequence;
        }
        else
        {
            // A thread whose run goes on (or has ended): stream from where the run is rather than start another.
            after = view.Run.LastSequence;
        }

        try
        {
            await new AgUiRunStream(events, runs, principal, threadId, agUiRunId).StreamAsync(after, cancellationToken);
        }
        catch (TokenRevokedException revoked)
        {
            // HttpAgent fails the run with this message; the crew's run goes on, and a request on the thread gets 401.
            await events.ErrorAsync("TOKEN_REVOKED", revoked.Message, cancellationToken);
        }
    }

    /// <summary><c>forwardedProps.inputs</c>, <c>state.inputs</c>, or the last user message for a crew with one input.</summary>
    private static JsonObject? Inputs(CrewDefinition crew, JsonObject input)
    {
        if (input["forwardedProps"]?["inputs"] is JsonObject forwarded)
        {
            return (JsonObject)forwarded.DeepClone();
        }

        if (input["state"]?["inputs"] is JsonObject state)
        {
            return (JsonObject)state.DeepClone();
        }

        var lastUser = (input["messages"] as JsonArray)?.OfType<JsonObject>().LastOrDefault(m => Text(m["role"]) == "user");
        return CrewDescriptions.FromText(crew, lastUser?["content"] is JsonValue ? Text(lastUser["content"]) : null);
    }

    /// <summary>A resume entry's payload: <c>{approve, feedback}</c>, or text ("approve", or the feedback).</summary>
    private static (bool Approve, string Feedback) Review(JsonObject? entry)
    {
        if (entry is null || Text(entry["status"]) == "cancelled")
        {
            return (false, "");
        }

        var payload = entry["payload"];
        if (payload is JsonObject answer)
        {
            var approve = answer["approve"] is JsonValue a && a.TryGetValue<bool>(out var yes) && yes;
            return (approve, Text(answer["feedback"]) ?? "");
        }

        var text = Text(payload)?.Trim() ?? "";
        return text.Equals("approve", StringComparison.OrdinalIgnoreCase) ? (true, "") : (false, text);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
