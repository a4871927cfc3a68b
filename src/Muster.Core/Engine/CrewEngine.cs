using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Muster.Core.Crews;
using Muster.Core.Llm;
using Muster.Core.Outputs;
using Muster.Core.Tools;
using Muster.Core.Tools.Mcp;

namespace Muster.Core.Engine;

/// <summary>
/// Runs a crew's tasks in order (CrewAI's sequential process), from a checkpoint, emitting every event
/// through the sink. Everything is async: a run waiting on its LLM holds no thread.
/// </summary>
public sealed partial class CrewEngine(
    ILlmClientProvider llms,
    IToolRegistry tools,
    IOptions<LlmOptions> llmOptions,
    IOptions<CrewEngineOptions> engineOptions,
    TimeProvider timeProvider,
    ILogger<CrewEngine> logger,
    McpToolSource mcpTools) : ICrewEngine
{
    public async Task<RunOutcome> RunAsync(Guid runId, CrewDefinition crew, RunCheckpoint checkpoint, IRunSink sink, CancellationToken cancellationToken)
    {
        if (checkpoint is { PendingReview: { } waiting, Review: null })
        {
            return new RunOutcome { Kind = RunOutcomeKind.AwaitingHuman, PendingReview = waiting };
        }

        var events = new RunEventWriter(runId, checkpoint.LastSequence, sink, timeProvider, cancellationToken);
        var run = new RunProgress(crew, checkpoint, timeProvider);
        var rpmClients = new Dictionary<string, IChatClient>(StringComparer.Ordinal);
        await using var mcp = mcpTools.OpenSession(crew);
        try
        {
            var started = new JsonObject
            {
                ["crew_name"] = crew.Name,
                ["inputs"] = crew.InputValues?.DeepClone() ?? new JsonObject(),
                ["total_tasks"] = crew.Tasks.Count,
            };
            if (checkpoint.LastSequence > 0 || checkpoint.CompletedTasks.Count > 0)
            {
                started["resumed"] = true;
            }

            await events.PublishAsync(RunEventTypes.CrewKickoffStarted, started);

            (TaskOutput Previous, string Feedback)? revision = null;
            if (checkpoint is { PendingReview: { } pending, Review: { } review })
            {
                if (review.Approved)
                {
                    await CompleteAsync(events, run, crew.Tasks.FirstOrDefault(t => t.Name == pending.Name), pending, cancellationToken);
                }
                else
                {
                    revision = (pending, review.Feedback);
                }
            }

            foreach (var task in crew.Tasks.Where(t => !run.IsCompleted(t.Name)))
            {
                var revise = revision is { } r && r.Previous.Name == task.Name ? revision : null;
                var output = await RunTaskAsync(events, run, crew, task, revise, rpmClients, mcp, cancellationToken);
                if (output is null)
                {
                    return new RunOutcome { Kind = RunOutcomeKind.Failed, Error = run.Error };
                }

                if (task.HumanInput)
                {
                    var data = new JsonObject { ["task_name"] = task.Name, ["task_id"] = task.Name, ["agent"] = output.Agent, ["output"] = output.Raw };
                    await events.PublishAsync(RunEventTypes.TaskAwaitingHuman, data, output);
                    return new RunOutcome { Kind = RunOutcomeKind.AwaitingHuman, PendingReview = output };
                }

                await CompleteAsync(events, run, task, output, cancellationToken);
            }

            var crewOutput = run.ToCrewOutput();
            await events.PublishAsync(RunEventTypes.CrewKickoffCompleted, new JsonObject
            {
                ["output"] = crewOutput.Raw,
                ["result_json"] = crewOutput.JsonDict?.DeepClone(),
                ["token_usage"] = RunEventWriter.Usage(crewOutput.Usage),
                ["execution_time"] = crewOutput.ExecutionTimeSeconds,
            });
            return new RunOutcome { Kind = RunOutcomeKind.Completed, Output = crewOutput };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopped(logger, runId);
            return new RunOutcome { Kind = RunOutcomeKind.Stopped, Error = "The run was cancelled." };
        }
    }

    private async Task CompleteAsync(RunEventWriter events, RunProgress run, TaskDefinition? task, TaskOutput output, CancellationToken cancellationToken)
    {
        if (task?.OutputFile is { Length: > 0 } file)
        {
            await OutputFiles.WriteAsync(OutputFiles.Resolve(engineOptions.Value.OutputRoot, events.RunId, file), output.Raw, cancellationToken);
        }

        run.Complete(output);
        await events.PublishAsync(RunEventTypes.TaskCompleted, RunEventWriter.TaskCompletedData(output), output);
    }

    /// <summary>Runs one task; on failure emits the failure events and returns null.</summary>
    private async Task<TaskOutput?> RunTaskAsync(
        RunEventWriter events, RunProgress run, CrewDefinition crew, TaskDefinition task,
        (TaskOutput Previous, string Feedback)? revision, Dictionary<string, IChatClient> rpmClients, McpSession mcp, CancellationToken cancellationToken)
    {
        var agent = task.Agent is null ? null : crew.FindAgent(task.Agent);
        var role = agent?.Role ?? task.Agent ?? "";
        await events.PublishAsync(RunEventTypes.TaskStarted, new JsonObject
        {
            ["task_name"] = task.Name, ["task_id"] = task.Name, ["agent"] = role, ["description"] = task.Description,
        });

        var started = timeProvider.GetTimestamp();
        var executor = new AgentExecutor(events, cancellationToken);
        try
        {
            if (agent is null)
            {
                throw new InvalidOperationException($"Task '{task.Name}' names agent '{task.Agent}', which the crew does not have.");
            }

            if (task.OutputFile is { Length: > 0 } file)
            {
                OutputFiles.Resolve(engineOptions.Value.OutputRoot, events.RunId, file);
            }

            await events.PublishAsync(RunEventTypes.AgentExecutionStarted, new JsonObject { ["task_name"] = task.Name, ["agent"] = role });
            var context = Prompts.Context(task, run.Completed);
            if (revision is { } r)
            {
                context = string.IsNullOrEmpty(context) ? Prompts.Revision(r.Previous, r.Feedback) : context + Prompts.ContextDivider + Prompts.Revision(r.Previous, r.Feedback);
            }

            var model = agent.Llm ?? crew.Llm ?? llmOptions.Value.DefaultModel;
            List<AIFunction> tools = [.. ResolveTools(agent, task), .. await mcp.ToolsForAsync(agent, cancellationToken)];
            var turn = new AgentTurn(agent, task, ClientFor(agent, model, rpmClients), model, [.. tools.DistinctBy(t => t.Name)], Prompts.Task(task, context));
            var raw = await executor.RunAsync(turn);
            run.AddUsage(executor.Usage);
            await events.PublishAsync(RunEventTypes.AgentExecutionCompleted, new JsonObject { ["task_name"] = task.Name, ["agent"] = role, ["output"] = raw });
            return new TaskOutput
            {
                Name = task.Name,
                Description = task.Description,
                ExpectedOutput = task.ExpectedOutput,
                Summary = task.Summary,
                Raw = raw,
                Agent = role,
                ExecutionTimeSeconds = timeProvider.GetElapsedTime(started).TotalSeconds,
                Usage = executor.Usage,
            };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException { CancellationToken.IsCancellationRequested: true })
        {
            run.AddUsage(executor.Usage);
            run.Error = $"Task '{task.Name}' failed: {ex.Message}";
            LogTaskFailed(logger, ex, task.Name, crew.Name);
            await events.PublishAsync(RunEventTypes.AgentExecutionError, new JsonObject { ["task_name"] = task.Name, ["agent"] = role, ["error"] = ex.Message });
            await events.PublishAsync(RunEventTypes.TaskFailed, new JsonObject { ["task_name"] = task.Name, ["agent"] = role, ["error"] = ex.Message });
            await events.PublishAsync(RunEventTypes.CrewKickoffFailed, new JsonObject
            {
                ["error"] = run.Error,
                ["token_usage"] = RunEventWriter.Usage(run.Usage),
                ["execution_time"] = run.ElapsedSeconds,
            });
            return null;
        }
    }

    private IChatClient ClientFor(AgentDefinition agent, string model, Dictionary<string, IChatClient> rpmClients)
    {
        var client = llms.GetClient(ModelReference.Parse(model).Provider);
        if (agent.MaxRpm is not { } maxRpm)
        {
            return client;
        }

        var key = agent.Key + "\n" + model;
        if (!rpmClients.TryGetValue(key, out var limited))
        {
            limited = new RpmLimitedChatClient(client, maxRpm, timeProvider);
            rpmClients[key] = limited;
        }

        return limited;
    }

    /// <summary>The task's tools when it names any (CrewAI lets them replace the agent's), else the agent's.</summary>
    private List<AIFunction> ResolveTools(AgentDefinition agent, TaskDefinition task)
    {
        var names = task.Tools.Count > 0 ? task.Tools : agent.Tools;
        return names.Distinct(StringComparer.Ordinal)
            .Select(name => tools.Find(name) ?? throw new InvalidOperationException($"Unknown tool '{name}'."))
            .ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} cancelled")]
    private static partial void LogStopped(ILogger logger, Guid runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Task} of crew {Crew} failed")]
    private static partial void LogTaskFailed(ILogger logger, Exception exception, string task, string crew);
}
