using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;

namespace Muster.Storage.Tests;

/// <summary>Builders for the suite's data. Times are whole milliseconds, the precision the stores keep.</summary>
internal static class StoreData
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static CrewDefinition Crew(int tasks = 2, string name = "research") => new()
    {
        Name = name,
        Agents = [new AgentDefinition { Key = "writer", Role = "Writer", Goal = "Write {topic}", Backstory = "Seasoned" }],
        Tasks = [.. Enumerable.Range(1, tasks).Select(i => new TaskDefinition
        {
            Name = $"task_{i}",
            Description = $"Do step {i} about {{topic}}",
            ExpectedOutput = "A paragraph",
            Agent = "writer",
            HumanInput = i == 1,
        })],
        Inputs = ["topic"],
    };

    public static NewRun Run(
        DateTimeOffset? createdAt = null, string tokenId = "tok_org", string? idempotencyKey = null,
        string owner = "org", string crewName = "research", string correlationId = "corr-1", Guid? id = null) => new()
    {
        Id = id ?? Guid.NewGuid(),
        CrewName = crewName,
        Crew = Crew(name: crewName),
        Inputs = new JsonObject { ["topic"] = "owls" },
        Meta = new JsonObject { ["trace"] = "abc" },
        OwnerId = owner,
        TokenId = tokenId,
        CorrelationId = correlationId,
        IdempotencyKey = idempotencyKey,
        Webhooks = new WebhookSettings { TaskWebhookUrl = "http://127.0.0.1:9/task" },
        CreatedAt = createdAt ?? T0,
    };

    /// <summary>An event of <paramref name="type"/> with sample data; an <c>agent_step</c>'s result names its sequence.</summary>
    public static RunEvent Event(Guid runId, long sequence, string type = RunEventTypes.AgentStep, TaskOutput? output = null) => new()
    {
        RunId = runId,
        Sequence = sequence,
        Timestamp = T0.AddSeconds(sequence),
        Data = type switch
        {
            RunEventTypes.AgentStep => new AgentStep("task_1", "Writer", "Do task_1", "Thinking", "", "", $"step {sequence}"),
            RunEventTypes.TaskStarted => new TaskStarted { TaskName = "task_1", Agent = "Writer", Description = "Do task_1" },
            RunEventTypes.LlmCallStarted => new LlmCallStarted("task_1", "Writer", "sim/test-model"),
            RunEventTypes.TaskCompleted => new TaskCompleted(output ?? Output("task_1")),
            RunEventTypes.TaskAwaitingHuman => new TaskAwaitingHuman(output ?? Output("task_1")),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "The suite has no sample data for this event type."),
        },
    };

    public static TaskOutput Output(string name, string raw = "done") => new()
    {
        Name = name,
        Description = $"Do {name}",
        ExpectedOutput = "A paragraph",
        Summary = $"Do {name}...",
        Raw = raw,
        JsonDict = new JsonObject { ["answer"] = raw },
        Agent = "Writer",
        ExecutionTimeSeconds = 1.5,
        Usage = new TokenUsage(10, 5, 2, 1),
    };

    public static NewDelivery Delivery(Guid runId, string url = "http://127.0.0.1:9/hook", string kind = "task", string payload = "{}", DateTimeOffset? createdAt = null) => new()
    {
        Id = Guid.NewGuid(),
        RunId = runId,
        Url = url,
        Kind = kind,
        Payload = payload,
        CreatedAt = createdAt ?? T0,
    };
}
