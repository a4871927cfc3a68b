using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Crews;
using Muster.Core.Llm;
using Muster.Core.Telemetry;
using Muster.Core.Tools;

namespace Muster.Core.Engine;

/// <summary>What one agent needs to perform one task.</summary>
internal sealed record AgentTurn(
    AgentDefinition Agent,
    TaskDefinition Task,
    IChatClient Client,
    string Model,
    IReadOnlyList<AIFunction> Tools,
    string TaskPrompt)
{
    /// <summary>The agent as events name it: folded YAML (role: >) ends a role in a newline, which the prompt keeps, as CrewAI's does, and the API does not.</summary>
    public string AgentName => Agent.Role.Trim();

    /// <summary>Set when the task has <c>output_json</c>: the answer must satisfy it.</summary>
    public StructuredOutput? Output { get; init; }
}

/// <summary>A task's <c>output_json</c> at run time: the validator, the provider's response format (null when it has none) and the retry limit.</summary>
internal sealed record StructuredOutput(OutputValidator Validator, ChatResponseFormat? ResponseFormat, int MaxRetries);

/// <summary>
/// An agent's final answer and, for a task with <c>output_json</c>, the validated object; <paramref name="Text"/> is the
/// model's whole last message, of which <paramref name="Raw"/> is the answer (see <see cref="FinalAnswer"/>).
/// </summary>
internal sealed record AgentAnswer(string Raw, JsonObject? Json, string Text);

/// <summary>
/// The agent loop: ask the LLM, run the tools it asks for (concurrently when it asks for several), feed the
/// results back, until a final answer; after max_iter rounds the agent is told to give its best final answer.
/// With structured output, an answer that does not fit the schema is sent back with the errors, up to a limit.
/// </summary>
internal sealed class AgentExecutor(RunEventWriter events, RunMeter meter, CancellationToken cancellationToken)
{
    /// <summary>Tools may carry the name CrewAI users know (with spaces) here; the model sees a name OpenAI accepts.</summary>
    public const string DisplayNameProperty = "display_name";

    private readonly Lock _usageLock = new();
    // The run whose spans this executor's tool calls and output_json retries belong to (none for a bare executor in tests).
    private readonly RunContext? _run;
    private TokenUsage _usage = TokenUsage.Zero;

    /// <summary>An executor of <paramref name="run"/>: its tool calls and output_json retries are spans of the run.</summary>
    public AgentExecutor(RunContext run, CancellationToken cancellationToken)
        : this(run.Events, run.Meter, cancellationToken) => _run = run;

    /// <summary>Everything this executor's calls consumed, including co-workers' work it delegated and guardrail checks.</summary>
    public TokenUsage Usage
    {
        get
        {
            lock (_usageLock)
            {
                return _usage;
            }
        }
    }

    public void AddUsage(TokenUsage usage)
    {
        lock (_usageLock)
        {
            _usage += usage;
        }
    }

    public async Task<AgentAnswer> RunAsync(AgentTurn turn)
    {
        List<ChatMessage> history = [new(ChatRole.System, Prompts.System(turn.Agent)), new(ChatRole.User, turn.TaskPrompt)];
        var model = ModelReference.Parse(turn.Model);
        var options = new ChatOptions
        {
            ModelId = model.Model,
            Tools = turn.Tools.Count > 0 ? [.. turn.Tools] : null,
            ResponseFormat = turn.Output?.ResponseFormat,
        };

        var text = await LoopAsync(turn, history, options);
        var answer = turn.Output is { } output
            ? await ConformAsync(turn, output, history, options, text)
            : new AgentAnswer(FinalAnswer.From(text), null, text);
        await Step(turn, thought: answer.Text, tool: "", toolInput: "", result: answer.Raw);
        return answer;
    }

    /// <summary>One LLM call on behalf of <paramref name="turn"/>, charged to this executor (guardrail checks use it too).</summary>
    public Task<ChatResponse> AskAsync(AgentTurn turn, List<ChatMessage> messages, ChatOptions options) => CallAsync(turn, messages, options);

    private async Task<string> LoopAsync(AgentTurn turn, List<ChatMessage> history, ChatOptions options)
    {
        for (var iteration = 0; iteration < turn.Agent.MaxIter; iteration++)
        {
            var response = await CallAsync(turn, history, options);
            history.AddRange(response.Messages);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                return response.Text;
            }

            history.Add(new ChatMessage(ChatRole.Tool, [.. await RunToolsAsync(turn, calls, response.Text)]));
        }

        history.Add(new ChatMessage(ChatRole.User, Prompts.ForceFinalAnswer));
        var forced = await CallAsync(turn, history, new ChatOptions { ModelId = options.ModelId, ResponseFormat = options.ResponseFormat });
        history.AddRange(forced.Messages);
        return forced.Text;
    }

    /// <summary>Validates the answer against the schema; each miss is sent back with the errors until it fits or the retries run out.</summary>
    private async Task<AgentAnswer> ConformAsync(AgentTurn turn, StructuredOutput output, List<ChatMessage> history, ChatOptions options, string text)
    {
        var retryOptions = new ChatOptions { ModelId = options.ModelId, ResponseFormat = options.ResponseFormat };
        for (var attempt = 0; ; attempt++)
        {
            var raw = FinalAnswer.From(text);
            var check = output.Validator.Check(raw);
            if (check.Value is { } value)
            {
                return new AgentAnswer(raw, value, text);
            }

            await events.PublishAsync(new OutputValidationFailed(turn.Task.Name, turn.AgentName, attempt + 1, check.Errors, raw));
            if (attempt >= output.MaxRetries)
            {
                throw new InvalidOperationException(
                    $"The answer did not match output_json after {output.MaxRetries} {(output.MaxRetries == 1 ? "retry" : "retries")}: {string.Join("; ", check.Errors)}");
            }

            history.Add(new ChatMessage(ChatRole.User, Prompts.FixStructuredOutput(check.Errors)));
            using var span = _run is null ? null : EngineSpans.OutputJsonRetry(_run, turn.Task.Name, attempt + 1, check.Errors);
            var response = await CallAsync(turn, history, retryOptions);
            history.AddRange(response.Messages);
            text = response.Text;
        }
    }

    // The run's LlmCallEventsChatClient, in the turn's chat pipeline, writes the call's events and charges its usage here.
    private Task<ChatResponse> CallAsync(AgentTurn turn, List<ChatMessage> history, ChatOptions options)
    {
        new LlmCaller(turn.Task.Name, turn.AgentName, turn.Model, this).Attach(options);
        return turn.Client.GetResponseAsync(history, options, cancellationToken);
    }

    private async Task<List<AIContent>> RunToolsAsync(AgentTurn turn, List<FunctionCallContent> calls, string thought)
    {
        // A tool may spend (a co-worker's calls, a paid API): none starts once the run has reached its budget.
        meter.BeforeToolCall();
        var arguments = calls.Select(Arguments).ToList();
        for (var i = 0; i < calls.Count; i++)
        {
            await events.PublishAsync(new ToolUsageStarted(turn.Task.Name, turn.AgentName, DisplayName(turn, calls[i].Name), arguments[i]));
        }

        // Events are written before and after, in call order, so sequence numbers stay deterministic.
        var outcomes = await Task.WhenAll(calls.Select(call => InvokeAsync(turn, call)));
        var results = new List<AIContent>();
        for (var i = 0; i < calls.Count; i++)
        {
            var (call, args, (text, error)) = (calls[i], arguments[i], outcomes[i]);
            var name = DisplayName(turn, call.Name);
            await events.PublishAsync(error is null
                ? new ToolUsageFinished(turn.Task.Name, turn.AgentName, name, args, text)
                : new ToolUsageError(turn.Task.Name, turn.AgentName, name, args, error));
            await Step(turn, thought, name, RunEventJson.Serialize(args), text);
            results.Add(new FunctionResultContent(call.CallId, text));
        }

        return results;
    }

    private async Task<(string Text, string? Error)> InvokeAsync(AgentTurn turn, FunctionCallContent call)
    {
        using var span = _run is null ? null : EngineSpans.Tool(_run, turn.Task.Name, DisplayName(turn, call.Name), call.CallId, () => RunEventJson.Serialize(Arguments(call)));
        var outcome = await InvokeToolAsync(turn, call);
        if (outcome.Error is { } failed)
        {
            EngineSpans.Fail(span, "tool_error", failed);
        }
        else if (_run is not null)
        {
            EngineSpans.Content(span, _run, SpanAttributes.ToolCallResult, () => outcome.Text);
        }

        return outcome;
    }

    private async Task<(string Text, string? Error)> InvokeToolAsync(AgentTurn turn, FunctionCallContent call)
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
            return (ToolResults.Text(result), null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && !RunSinkException.IsIn(ex) && !BudgetExceededException.IsIn(ex))
        {
            // As in CrewAI, a failing tool does not fail the task: the agent reads the error and carries on.
            var error = ex.InnerException?.Message ?? ex.Message;
            return ($"Error using tool '{call.Name}': {error}", error);
        }
    }

    private ValueTask Step(AgentTurn turn, string thought, string tool, string toolInput, string result) =>
        events.PublishAsync(new AgentStep(turn.Task.Name, turn.AgentName, turn.TaskPrompt, thought, tool, toolInput, result));

    private static string DisplayName(AgentTurn turn, string name) =>
        turn.Tools.FirstOrDefault(t => t.Name == name)?.AdditionalProperties.GetValueOrDefault(DisplayNameProperty) as string ?? name;

    // An element, not a node: it is immutable, so the events that share it may be written on different threads.
    private static JsonElement Arguments(FunctionCallContent call) =>
        JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
}
