using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Guardrails;
using Muster.Core.Llm;
using Muster.Core.Outputs;
using Muster.Core.Telemetry;
using Muster.Core.Tools;

namespace Muster.Core.Engine;

/// <summary>How one task ended: its output, or the exception that failed it (its failure events are already written).</summary>
internal sealed record TaskOutcome(TaskDefinition Task, TaskOutput? Output, Exception? Failure);

/// <summary>
/// What a task goes through in one run, in order: <b>perform</b> (the assigned agent's loop, with its tools and
/// delegation tools), <b>output_json</b> (the answer validated against the task's schema, and asked for again while it
/// does not fit), <b>guardrail</b> (the output checked; a rejected one is performed again with the reason), and
/// <b>complete</b> (its <c>output_file</c> written, the output recorded). A human-input task pauses for review between
/// guardrail and complete. Writes the task's events. Safe to use for several tasks at once (async_execution).
/// </summary>
internal sealed partial class TaskPipeline(RunContext run)
{
    private static readonly JsonElement VerdictSchema = OutputValidator.ToElement(JsonNode.Parse("""
        {"type":"object","properties":{"valid":{"type":"boolean"},"feedback":{"type":["string","null"]}},"required":["valid","feedback"],"additionalProperties":false}
        """)!);

    /// <summary>The <c>task_failed</c> error of a task stopped because another task of its run failed.</summary>
    internal const string StoppedByAnotherTask = "Stopped because another task of this run failed.";

    private readonly ConcurrentDictionary<string, IChatClient> _rpmClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IChatClient, IChatClient> _runClients = new();

    /// <summary>
    /// Perform, output_json and guardrail: <paramref name="task"/>, given to <paramref name="assignment"/>'s performer with
    /// <paramref name="context"/> (earlier outputs, and a reviewer's feedback on a redo). The output is not recorded yet.
    /// </summary>
    public async Task<TaskOutcome> PerformAsync(TaskDefinition task, Assignment assignment, string context, CancellationToken cancellationToken)
    {
        var (performer, coworkers, processInstructions) = assignment;
        // Folded YAML (role: >) ends a role in a newline: the prompt keeps it, as CrewAI's does; what the API shows does not.
        var role = (performer?.Role ?? task.Agent ?? "").Trim();
        using var span = EngineSpans.Agent(run, task.Name, role, performer is null ? run.LlmOptions.DefaultModel : ModelFor(performer), delegatedBy: null);
        await run.Events.PublishAsync(new TaskStarted { TaskName = task.Name, Agent = role, Description = task.Description });

        var started = run.TimeProvider.GetTimestamp();
        var executor = new AgentExecutor(run, cancellationToken);
        try
        {
            if (performer is null)
            {
                throw new InvalidOperationException($"Task '{task.Name}' names agent '{task.Agent}', which the crew does not have.");
            }

            if (task.OutputFile is { Length: > 0 } file)
            {
                OutputFiles.Resolve(run.EngineOptions.OutputRoot, run.Events.RunId, file);
            }

            await run.Events.PublishAsync(new AgentExecutionStarted(task.Name, role));
            var model = ModelFor(performer);
            var structured = Structured(task, model);
            var instructions = processInstructions
                + (task.OutputJson is JsonObject schema ? Prompts.StructuredOutput(schema) : null);
            var delegation = CoworkerTools.Create(coworkers, (coworker, work, workContext, token) => WorkAsync(task, role, coworker, work, workContext, executor, token));
            var turn = new AgentTurn(
                performer, task, ClientFor(performer, model), model, [.. await ResolveToolsAsync(performer, task, cancellationToken), .. delegation], Prompts.Task(task, context, instructions))
            {
                Output = structured,
            };

            for (var retry = 0; ; retry++)
            {
                var answer = await executor.RunAsync(turn);
                var output = Output(task, role, answer, started, executor.Usage);
                var verdict = string.IsNullOrWhiteSpace(task.Guardrail)
                    ? GuardrailResult.Pass()
                    : await CheckGuardrailAsync(task, output, turn, executor, retry, cancellationToken);
                if (verdict.Success)
                {
                    EngineSpans.Content(span, run, "muster.task.output", () => output.Raw);
                    await run.Events.PublishAsync(new AgentExecutionCompleted(task.Name, role, DelegatedBy: null, output.Raw));
                    return new TaskOutcome(task, output with { Usage = executor.Usage }, null);
                }

                var feedback = string.IsNullOrWhiteSpace(verdict.Feedback) ? "the guardrail gave no reason" : verdict.Feedback;
                if (retry >= task.GuardrailMaxRetries)
                {
                    throw new GuardrailFailedException(
                        $"The output failed its guardrail after {task.GuardrailMaxRetries} {(task.GuardrailMaxRetries == 1 ? "retry" : "retries")}: {feedback}");
                }

                var retryContext = string.IsNullOrEmpty(context) ? Prompts.GuardrailRetry(answer.Raw, feedback) : context + Prompts.ContextDivider + Prompts.GuardrailRetry(answer.Raw, feedback);
                turn = turn with { TaskPrompt = Prompts.Task(task, retryContext, instructions) };
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException { CancellationToken.IsCancellationRequested: true } && !RunSinkException.IsIn(ex))
        {
            EngineSpans.Fail(span, ex);
            await run.Events.PublishAsync(new AgentExecutionError(task.Name, role, DelegatedBy: null, ex.Message));
            await run.Events.PublishAsync(new TaskFailed(task.Name, role, ex.Message));
            return new TaskOutcome(task, null, ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !run.Events.RunCancelled)
        {
            // Another task of the run failed and stopped this one; the run goes on to fail. The task still ends visibly,
            // so every task_started has its end. (A run that is itself stopped or shut down emits nothing more.)
            EngineSpans.Fail(span, nameof(OperationCanceledException), StoppedByAnotherTask);
            await run.Events.PublishAsync(new TaskFailed(task.Name, role, StoppedByAnotherTask));
            throw;
        }
        finally
        {
            EngineSpans.Usage(span, executor.Usage);
            run.Progress.AddUsage(executor.Usage);
        }
    }

    /// <summary>
    /// Complete: records a finished task, writing its <c>output_file</c> first. Returns the task as failed, with its failure
    /// event written, when that file cannot be written (a disk full, a link made in the run's folder meanwhile); null otherwise.
    /// </summary>
    public async Task<TaskOutcome?> CompleteAsync(TaskDefinition? task, TaskOutput output, CancellationToken cancellationToken)
    {
        if (task?.OutputFile is { Length: > 0 } file)
        {
            try
            {
                await OutputFiles.WriteAsync(OutputFiles.Resolve(run.EngineOptions.OutputRoot, run.Events.RunId, file), output.Raw, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                var failure = new IOException($"Could not write output_file '{file}': {ex.Message}", ex);
                await run.Events.PublishAsync(new TaskFailed(task.Name, output.Agent, failure.Message));
                return new TaskOutcome(task, null, failure);
            }
        }

        run.Progress.Complete(output);
        try
        {
            await run.Events.PublishAsync(new TaskCompleted(output));
        }
        catch (RunLimitExceededException ex) when (task is not null)
        {
            // The output is not recorded, so the task did not complete: it ends as failed, as every started task ends.
            await run.Events.PublishAsync(new TaskFailed(task.Name, output.Agent, ex.Message));
            return new TaskOutcome(task, null, ex);
        }

        return null;
    }

    /// <summary>A co-worker's turn on work handed over by a delegation tool; its usage counts towards the delegating task.</summary>
    private async Task<string> WorkAsync(
        TaskDefinition task, string delegator, AgentDefinition coworker, string work, string context, AgentExecutor delegating, CancellationToken cancellationToken)
    {
        var job = new TaskDefinition { Name = task.Name, Description = work, ExpectedOutput = Prompts.CoworkerExpectedOutput };
        var model = ModelFor(coworker);
        var turn = new AgentTurn(coworker, job, ClientFor(coworker, model), model, await ResolveToolsAsync(coworker, job, cancellationToken), Prompts.Task(job, context));
        var coworkerName = coworker.Role.Trim();
        using var span = EngineSpans.Agent(run, task.Name, coworkerName, model, delegator);
        await run.Events.PublishAsync(new AgentExecutionStarted(task.Name, coworkerName, delegator));
        var executor = new AgentExecutor(run, cancellationToken);
        try
        {
            var answer = await executor.RunAsync(turn);
            await run.Events.PublishAsync(new AgentExecutionCompleted(task.Name, coworkerName, delegator, answer.Raw));
            return answer.Raw;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && !RunSinkException.IsIn(ex))
        {
            EngineSpans.Fail(span, ex);
            await run.Events.PublishAsync(new AgentExecutionError(task.Name, coworkerName, delegator, ex.Message));
            throw;
        }
        finally
        {
            EngineSpans.Usage(span, executor.Usage);
            delegating.AddUsage(executor.Usage);
        }
    }

    private async Task<GuardrailResult> CheckGuardrailAsync(
        TaskDefinition task, TaskOutput output, AgentTurn turn, AgentExecutor executor, int retry, CancellationToken cancellationToken)
    {
        var rule = task.Guardrail!;
        var function = run.Guardrails.Find(rule);
        var kind = function is null ? "llm" : "function";
        using var span = EngineSpans.Guardrail(run, task.Name, rule, kind, retry);
        await run.Events.PublishAsync(new LlmGuardrailStarted(task.Name, rule, kind, retry));
        GuardrailResult verdict;
        try
        {
            verdict = function is null
                ? await AskCheckerAsync(rule, output, turn, executor)
                : await function(output, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            EngineSpans.Fail(span, ex);
            throw;
        }

        span?.SetTag("muster.guardrail.passed", verdict.Success);
        await run.Events.PublishAsync(new LlmGuardrailCompleted(
            task.Name, verdict.Success, verdict.Success ? output.Raw : null, verdict.Success ? null : verdict.Feedback, retry));
        return verdict;
    }

    /// <summary>A plain-language guardrail, as CrewAI's: an LLM (the task's model) answers valid or not, with feedback.</summary>
    private async Task<GuardrailResult> AskCheckerAsync(string rule, TaskOutput output, AgentTurn turn, AgentExecutor executor)
    {
        var checker = turn with { Agent = Prompts.GuardrailChecker, Tools = [], Output = null };
        List<ChatMessage> messages = [new(ChatRole.System, Prompts.System(Prompts.GuardrailChecker)), new(ChatRole.User, Prompts.GuardrailCheck(rule, output.Raw))];
        var options = new ChatOptions
        {
            ModelId = ModelReference.Parse(turn.Model).Model,
            ResponseFormat = SupportsJsonSchema(turn.Model) ? ChatResponseFormat.ForJsonSchema(VerdictSchema, "guardrail_verdict") : ChatResponseFormat.Json,
        };
        var response = await executor.AskAsync(checker, messages, options);
        return ParseVerdict(response.Text)
            ?? throw new InvalidOperationException($"The guardrail check gave no verdict (expected {{\"valid\": true|false, \"feedback\": \"...\"}}): {Shorten(response.Text)}");
    }

    internal static GuardrailResult? ParseVerdict(string text)
    {
        var start = text.IndexOf('{', StringComparison.Ordinal);
        var end = text.LastIndexOf('}');
        if (start < 0 || end < start)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text[start..(end + 1)]) is JsonObject verdict && verdict["valid"] is JsonValue valid && valid.TryGetValue(out bool isValid)
                ? new GuardrailResult(isValid, verdict["feedback"] is JsonValue feedback && feedback.TryGetValue(out string? reason) ? reason : null)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private StructuredOutput? Structured(TaskDefinition task, string model)
    {
        if (task.OutputJson is not JsonObject schema)
        {
            return null;
        }

        var format = SupportsJsonSchema(model)
            ? ChatResponseFormat.ForJsonSchema(OutputValidator.ToElement(schema), SchemaName(task.Name))
            : null;
        return new StructuredOutput(OutputValidator.Create(schema), format, Math.Max(0, run.EngineOptions.OutputJsonMaxRetries));
    }

    private bool SupportsJsonSchema(string model) =>
        !run.LlmOptions.Providers.TryGetValue(ModelReference.Parse(model).Provider, out var provider) || provider.JsonSchemaResponseFormat;

    private string ModelFor(AgentDefinition agent) => agent.Llm ?? (agent == run.Crew.ManagerAgent ? run.Crew.ManagerLlm : null) ?? run.Crew.Llm ?? run.LlmOptions.DefaultModel;

    private TaskOutput Output(TaskDefinition task, string role, AgentAnswer answer, long started, TokenUsage usage) => new()
    {
        Name = task.Name,
        Description = task.Description,
        ExpectedOutput = task.ExpectedOutput,
        Summary = task.Summary,
        Raw = answer.Raw,
        JsonDict = answer.Json,
        Agent = role,
        ExecutionTimeSeconds = run.TimeProvider.GetElapsedTime(started).TotalSeconds,
        Usage = usage,
    };

    /// <summary>The agent's chat pipeline in this run: the run's call events and usage ◄ its max_rpm limit ◄ the provider's client.</summary>
    private IChatClient ClientFor(AgentDefinition agent, string model)
    {
        var client = run.Llms.GetClient(ModelReference.Parse(model).Provider);
        var limited = agent.MaxRpm is not { } maxRpm
            ? client
            : _rpmClients.GetOrAdd(agent.Key + "\n" + model, _ => new RpmLimitedChatClient(client, maxRpm, run.TimeProvider));
        return _runClients.GetOrAdd(limited, inner => new LlmCallEventsChatClient(inner, run.Events, run.Meter));
    }

    /// <summary>
    /// The task's tools when it names any (CrewAI lets them replace the agent's), else the agent's, then the tools of the
    /// agent's MCP servers (connected once per run); a built-in tool wins over an MCP tool of the same name.
    /// </summary>
    private async Task<List<AIFunction>> ResolveToolsAsync(AgentDefinition agent, TaskDefinition task, CancellationToken cancellationToken)
    {
        var names = task.Tools.Count > 0 ? task.Tools : agent.Tools;
        var builtIn = names.Distinct(StringComparer.Ordinal)
            .Select(name => run.Tools.Find(name) ?? throw new InvalidOperationException($"Unknown tool '{name}'."));
        return [.. builtIn.Concat(await run.Mcp.ToolsForAsync(agent, cancellationToken)).DistinctBy(t => t.Name)];
    }

    private static string SchemaName(string taskName) => SchemaNamePattern().Replace(taskName, "_") is { Length: > 0 } name ? name[..Math.Min(name.Length, 64)] : "output";

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex SchemaNamePattern();
}

/// <summary>A task's output kept failing its guardrail; the message carries the guardrail's last reason.</summary>
internal sealed class GuardrailFailedException(string message) : Exception(message);
