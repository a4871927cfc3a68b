using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Muster.Core.Crews;
using Muster.Core.Llm;

namespace Muster.Core.Engine;

/// <summary>What one agent needs to perform one task.</summary>
internal sealed record AgentTurn(
    AgentDefinition Agent,
    TaskDefinition Task,
    IChatClient Client,
    string Model,
    IReadOnlyList<AIFunction> Tools,
    string TaskPrompt);

/// <summary>
/// The agent loop: ask the LLM, run the tools it asks for (concurrently when it asks for several), feed the
/// results back, until a final answer; after max_iter rounds the agent is told to give its best final answer.
/// </summary>
internal sealed class AgentExecutor(RunEventWriter events, CancellationToken cancellationToken)
{
    public TokenUsage Usage { get; private set; } = TokenUsage.Zero;

    public async Task<string> RunAsync(AgentTurn turn)
    {
        List<ChatMessage> history = [new(ChatRole.System, Prompts.System(turn.Agent)), new(ChatRole.User, turn.TaskPrompt)];
        var model = ModelReference.Parse(turn.Model);
        var options = new ChatOptions { ModelId = model.Model, Tools = turn.Tools.Count > 0 ? [.. turn.Tools] : null };

        for (var iteration = 0; iteration < turn.Agent.MaxIter; iteration++)
        {
            var response = await CallAsync(turn, history, options);
            history.AddRange(response.Messages);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                return await FinishAsync(turn, response.Text);
            }

            history.Add(new ChatMessage(ChatRole.Tool, [.. await RunToolsAsync(turn, calls, response.Text)]));
        }

        history.Add(new ChatMessage(ChatRole.User, Prompts.ForceFinalAnswer));
        var forced = await CallAsync(turn, history, new ChatOptions { ModelId = model.Model });
        return await FinishAsync(turn, forced.Text);
    }

    private async Task<string> FinishAsync(AgentTurn turn, string answer)
    {
        await Step(turn, thought: answer, tool: "", toolInput: "", result: answer);
        return answer;
    }

    private async Task<ChatResponse> CallAsync(AgentTurn turn, List<ChatMessage> history, ChatOptions options)
    {
        await events.PublishAsync(RunEventTypes.LlmCallStarted, Data(turn, ("model", turn.Model)));
        ChatResponse response;
        try
        {
            response = await turn.Client.GetResponseAsync(history, options, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await events.PublishAsync(RunEventTypes.LlmCallFailed, Data(turn, ("model", turn.Model), ("error", ex.Message)));
            throw;
        }

        var usage = new TokenUsage(
            response.Usage?.InputTokenCount ?? 0,
            response.Usage?.OutputTokenCount ?? 0,
            response.Usage?.CachedInputTokenCount ?? 0,
            SuccessfulRequests: 1);
        Usage += usage;
        await events.PublishAsync(RunEventTypes.LlmCallCompleted, Data(turn, ("model", turn.Model), ("token_usage", RunEventWriter.Usage(usage))));
        return response;
    }

    private async Task<List<AIContent>> RunToolsAsync(AgentTurn turn, List<FunctionCallContent> calls, string thought)
    {
        foreach (var call in calls)
        {
            await events.PublishAsync(RunEventTypes.ToolUsageStarted, Data(turn, ("tool_name", call.Name), ("tool_args", Arguments(call))));
        }

        // Events are written before and after, in call order, so sequence numbers stay deterministic.
        var outcomes = await Task.WhenAll(calls.Select(call => InvokeAsync(turn, call)));
        var results = new List<AIContent>();
        for (var i = 0; i < calls.Count; i++)
        {
            var (call, (text, error)) = (calls[i], outcomes[i]);
            await events.PublishAsync(
                error is null ? RunEventTypes.ToolUsageFinished : RunEventTypes.ToolUsageError,
                Data(turn, ("tool_name", call.Name), ("tool_args", Arguments(call)), error is null ? ("output", text) : ("error", error)));
            await Step(turn, thought, call.Name, Arguments(call).ToJsonString(), text);
            results.Add(new FunctionResultContent(call.CallId, text));
        }

        return results;
    }

    private async Task<(string Text, string? Error)> InvokeAsync(AgentTurn turn, FunctionCallContent call)
    {
        var tool = turn.Tools.FirstOrDefault(t => t.Name == call.Name);
        if (tool is null)
        {
            var available = string.Join(", ", turn.Tools.Select(t => t.Name));
            var error = $"Tool '{call.Name}' does not exist. Available tools: {(available.Length > 0 ? available : "none")}.";
            return ($"Error: {error}", error);
        }

        if (call.Exception is not null)
        {
            var error = $"The arguments for '{call.Name}' are not valid JSON: {call.Exception.Message}";
            return ($"Error: {error}", error);
        }

        try
        {
            var result = await tool.InvokeAsync(new AIFunctionArguments(call.Arguments), cancellationToken);
            return (OpenAiMapping.ResultText(result), null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // As in CrewAI, a failing tool does not fail the task: the agent reads the error and carries on.
            var error = ex.InnerException?.Message ?? ex.Message;
            return ($"Error using tool '{call.Name}': {error}", error);
        }
    }

    private ValueTask Step(AgentTurn turn, string thought, string tool, string toolInput, string result) =>
        events.PublishAsync(RunEventTypes.AgentStep, Data(
            turn, ("prompt", turn.TaskPrompt), ("thought", thought), ("tool", tool), ("tool_input", toolInput), ("result", result)));

    private static JsonObject Arguments(FunctionCallContent call) =>
        JsonSerializer.SerializeToNode(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))) as JsonObject ?? [];

    private static JsonObject Data(AgentTurn turn, params (string Key, JsonNode? Value)[] fields)
    {
        var data = new JsonObject { ["task_name"] = turn.Task.Name, ["agent"] = turn.Agent.Role };
        foreach (var (key, value) in fields)
        {
            data[key] = value;
        }

        return data;
    }
}
