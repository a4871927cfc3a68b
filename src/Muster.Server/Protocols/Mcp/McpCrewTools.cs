using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Protocols.Mcp;

/// <summary>
/// The MCP server's tools: one per crew the token covers, named after the crew, and <c>get_run</c>, <c>stop_run</c> and
/// <c>resume_run</c>, which act on runs by id. A crew's tool starts a durable run and answers when it ends or pauses.
/// </summary>
internal static class McpCrewTools
{
    public const string GetRun = "get_run";
    public const string StopRun = "stop_run";
    public const string ResumeRun = "resume_run";

    public static ValueTask<ListToolsResult> ListAsync(RequestContext<ListToolsRequestParams> context, CancellationToken cancellationToken)
    {
        var principal = McpPrincipal.Of(context);
        var runs = context.Services!.GetRequiredService<ProtocolRuns>();
        var tools = runs.CrewsFor(principal)
            .Where(crew => crew.Name is not (GetRun or StopRun or ResumeRun))
            .Select(crew => new Tool
            {
                Name = crew.Name,
                Description = CrewDescriptions.Describe(crew),
                InputSchema = JsonSerializer.SerializeToElement(CrewDescriptions.InputSchema(crew), McpJsonUtilities.DefaultOptions),
            })
            .Concat(RunTools())
            .ToList();
        return ValueTask.FromResult(new ListToolsResult { Tools = tools });
    }

    public static async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        var principal = McpPrincipal.Of(context);
        var runs = context.Services!.GetRequiredService<ProtocolRuns>();
        var name = context.Params?.Name ?? "";
        var arguments = Arguments(context.Params?.Arguments);
        switch (name)
        {
            case GetRun:
                return await GetRunAsync(runs, principal, arguments, cancellationToken);
            case StopRun:
                return await StopRunAsync(runs, principal, arguments, cancellationToken);
            case ResumeRun:
                return await ResumeRunAsync(context, runs, principal, arguments, cancellationToken);
        }

        var crew = runs.Crew(principal, name)
            ?? throw new McpProtocolException($"Unknown tool '{name}': tools/list names the crews this token covers.", McpErrorCode.InvalidParams);
        var inputs = new JsonObject();
        foreach (var (key, value) in arguments)
        {
            inputs[key] = value?.DeepClone();
        }

        var started = await runs.StartAsync(principal, crew, inputs, ProtocolRuns.Mcp, runId: null, webhooks: null, cancellationToken);
        if (started.RunId is not { } runId)
        {
            return McpResults.Error(started.Problem!);
        }

        return await new McpRunFollower(context, runs, principal, runId).FollowAsync(afterSequence: 0, cancellationToken);
    }

    private static async Task<CallToolResult> GetRunAsync(ProtocolRuns runs, MusterPrincipal principal, JsonObject arguments, CancellationToken cancellationToken)
    {
        if (RunId(arguments) is not { } runId)
        {
            return McpResults.Error("run_id must be a run's id (a UUID).");
        }

        var view = await runs.GetAsync(principal, runId, cancellationToken);
        return view is null ? McpResults.NotFound(runId) : McpResults.Status(view.Run);
    }

    private static async Task<CallToolResult> StopRunAsync(ProtocolRuns runs, MusterPrincipal principal, JsonObject arguments, CancellationToken cancellationToken)
    {
        if (RunId(arguments) is not { } runId)
        {
            return McpResults.Error("run_id must be a run's id (a UUID).");
        }

        var stopped = await runs.StopAsync(principal, runId, cancellationToken);
        return stopped.Outcome switch
        {
            StopOutcome.Stopped or StopOutcome.StopRequested => McpResults.Text($"Run {runId} is stopping.", new JsonObject { ["run_id"] = runId.ToString(), ["status"] = "stopping" }),
            StopOutcome.AlreadyFinished => McpResults.Error($"Run {runId} has already finished ({stopped.State}); there is nothing to stop."),
            _ => McpResults.NotFound(runId),
        };
    }

    private static async Task<CallToolResult> ResumeRunAsync(
        RequestContext<CallToolRequestParams> context, ProtocolRuns runs, MusterPrincipal principal, JsonObject arguments, CancellationToken cancellationToken)
    {
        if (RunId(arguments) is not { } runId)
        {
            return McpResults.Error("run_id must be a run's id (a UUID).");
        }

        if (arguments["approve"] is not JsonValue approveValue || !approveValue.TryGetValue<bool>(out var approve))
        {
            return McpResults.Error("approve must be true (accept the output) or false (run the task again with the feedback).");
        }

        var feedback = arguments["feedback"] is JsonValue text && text.TryGetValue<string>(out var given) ? given : "";
        var view = await runs.GetAsync(principal, runId, cancellationToken);
        if (view is null)
        {
            return McpResults.NotFound(runId);
        }

        var outcome = await runs.ResumeAsync(principal, runId, approve, feedback, cancellationToken);
        return outcome switch
        {
            ResumeOutcome.Resumed => await new McpRunFollower(context, runs, principal, runId).FollowAsync(view.Run.LastSequence, cancellationToken),
            ResumeOutcome.NotFound => McpResults.NotFound(runId),
            _ => McpResults.Error($"Run {runId} does not await a review (it is {view.Run.State})."),
        };
    }

    private static Guid? RunId(JsonObject arguments) =>
        arguments["run_id"] is JsonValue value && value.TryGetValue<string>(out var text) && Guid.TryParse(text, out var id) ? id : null;

    private static JsonObject Arguments(IDictionary<string, JsonElement>? arguments)
    {
        var result = new JsonObject();
        foreach (var (key, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            result[key] = JsonNode.Parse(value.GetRawText());
        }

        return result;
    }

    private static IEnumerable<Tool> RunTools()
    {
        var runId = new JsonObject { ["type"] = "string", ["description"] = "The run's id (a UUID), as a crew tool's result names it." };
        yield return Tool(GetRun, "The state of a run by id: status, current task, result or error, and the output awaiting review.",
            new JsonObject { ["run_id"] = runId.DeepClone() }, ["run_id"]);
        yield return Tool(StopRun, "Stops a pending, running or paused run by id.", new JsonObject { ["run_id"] = runId.DeepClone() }, ["run_id"]);
        yield return Tool(ResumeRun, "Answers the review a paused run awaits: approve accepts the output; otherwise the task runs again with the feedback. Answers when the run ends or pauses again.",
            new JsonObject
            {
                ["run_id"] = runId.DeepClone(),
                ["approve"] = new JsonObject { ["type"] = "boolean", ["description"] = "true accepts the output under review." },
                ["feedback"] = new JsonObject { ["type"] = "string", ["description"] = "What to change, when not approving." },
            },
            ["run_id", "approve"]);
    }

    private static Tool Tool(string name, string description, JsonObject properties, string[] required) => new()
    {
        Name = name,
        Description = description,
        InputSchema = JsonSerializer.SerializeToElement(
            new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]) },
            McpJsonUtilities.DefaultOptions),
    };
}
