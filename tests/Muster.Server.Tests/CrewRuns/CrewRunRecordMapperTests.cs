using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Server.CrewRuns;
using Muster.Storage;

namespace Muster.Server.Tests.CrewRuns;

public sealed class CrewRunRecordMapperTests
{
    private static CrewDefinition Crew() => new()
    {
        Name = "research",
        Llm = "openai/gpt-4o-mini",
        Process = CrewProcess.Sequential,
        Agents =
        [
            new AgentDefinition { Key = "writer", Role = "Writer", Goal = "Write", Backstory = "Wrote", Llm = "openai/gpt-5", Tools = ["search"] },
            new AgentDefinition { Key = "researcher", Role = "Researcher", Goal = "Find", Backstory = "Found", AllowDelegation = true, UseDefaultMcps = true },
        ],
        Tasks =
        [
            new TaskDefinition { Name = "find", Description = "Find it", ExpectedOutput = "Facts", Agent = "researcher" },
            new TaskDefinition { Name = "write", Description = "Write it", ExpectedOutput = "Text", Agent = "writer", Tools = ["pen"] },
        ],
        Inputs = [],
    };

    private static RunRecord Run(RunState state, bool adHoc = false) => new()
    {
        Id = Guid.NewGuid(),
        CrewName = "research",
        Crew = Crew(),
        Inputs = new JsonObject { ["topic"] = "AI" },
        OwnerId = "alice",
        TokenId = "tok",
        CorrelationId = "corr-1",
        AdHoc = adHoc,
        State = state,
        Error = state == RunState.Stopped ? "Stopped by alice at 2026-01-02T03:04:05Z" : null,
        Result = "done",
        Usage = new TokenUsage(10, 5, 1, 2),
        CreatedAt = new DateTimeOffset(2026, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)),
        StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero),
    };

    [Theory]
    [InlineData(RunState.Pending, "pending")]
    [InlineData(RunState.Running, "running")]
    [InlineData(RunState.AwaitingHuman, "running")]
    [InlineData(RunState.Completed, "completed")]
    [InlineData(RunState.Failed, "failed")]
    [InlineData(RunState.Stopped, "failed")]
    public void ToRecord_MapsStateToSpecStatus(RunState state, string status) =>
        CrewRunRecordMapper.ToRecord(Run(state), []).Status.ShouldBe(status);

    [Fact]
    public void ToRecord_StoppedRun_KeepsErrorSayingWhoStoppedIt() =>
        CrewRunRecordMapper.ToRecord(Run(RunState.Stopped), []).Error.ShouldBe("Stopped by alice at 2026-01-02T03:04:05Z");

    [Fact]
    public void ToRecord_WritesTimestampsAsUtcIso8601()
    {
        var record = CrewRunRecordMapper.ToRecord(Run(RunState.Running), []);

        record.CreatedAt.ShouldBe("2026-01-02T03:04:05.0000000Z");
        record.StartedAt.ShouldBe("2026-01-02T03:04:06.0000000Z");
        record.CompletedAt.ShouldBeNull();
    }

    [Fact]
    public void ToRecord_CopiesIdentityInputsAndUsage()
    {
        var run = Run(RunState.Completed);

        var record = CrewRunRecordMapper.ToRecord(run, []);

        record.Id.ShouldBe(run.Id.ToString());
        record.CorrelationId.ShouldBe("corr-1");
        record.OwnerId.ShouldBe("alice");
        record.CrewType.ShouldBe("research");
        record.TaskInput!["topic"]!.GetValue<string>().ShouldBe("AI");
        record.Result.ShouldBe("done");
        var usage = record.TokenUsage.ShouldNotBeNull();
        (usage.TotalTokens, usage.PromptTokens, usage.CompletionTokens, usage.CachedPromptTokens, usage.SuccessfulRequests)
            .ShouldBe((15L, 10L, 5L, 1L, 2L));
    }

    [Fact]
    public void ToRecord_AdHocRun_HasNoCrewType() =>
        CrewRunRecordMapper.ToRecord(Run(RunState.Pending, adHoc: true), []).CrewType.ShouldBeNull();

    [Fact]
    public void ToRecord_ListsPerTaskUsage()
    {
        var output = new TaskOutput
        {
            Name = "find", Description = "Find it", ExpectedOutput = "Facts", Summary = "Find it...", Raw = "facts",
            Agent = "Researcher", ExecutionTimeSeconds = 1.5, Usage = new TokenUsage(3, 4),
        };

        var task = CrewRunRecordMapper.ToRecord(Run(RunState.Completed), [output]).Tasks.ShouldNotBeNull().Single();

        (task.Task, task.Agent, task.Output, task.ExecutionTime).ShouldBe(("find", "Researcher", "facts", 1.5));
        task.TokenUsage.TotalTokens.ShouldBe(7);
    }

    [Fact]
    public void ToConfig_DescribesAgentsTasksAndAgentIndexes()
    {
        var config = CrewConfigMapper.ToConfig(Crew());

        config.Id.ShouldBe("research");
        config.Process.ShouldBe("sequential");
        config.Agents!.Select(a => (a.Id, a.Role, a.Llm)).ShouldBe(
            [("writer", "Writer", "openai/gpt-5"), ("researcher", "Researcher", "openai/gpt-4o-mini")]);
        config.Agents![0].Tools.ShouldBe(["search"]);
        (config.Agents[1].AllowDelegation, config.Agents[1].UseDefaultMcps).ShouldBe((true, true));
        config.Tasks!.Select(t => (t.Name, t.AgentIndex, t.ExpectedOutput)).ShouldBe([("find", (int?)1, "Facts"), ("write", (int?)0, "Text")]);
        config.Tasks![1].Tools.ShouldBe(["pen"]);
    }

    [Fact]
    public void ToConfig_ThenFromConfig_RoundTripsTheCrew()
    {
        var crew = Crew();

        var rebuilt = CrewConfigMapper.FromConfig(CrewConfigMapper.ToConfig(crew), new JsonObject(), new AdHocCrewOptions(), AdHocCrewTests.KnownTools).Crew.ShouldNotBeNull();

        rebuilt.Agents.Select(a => (a.Key, a.Role, a.AllowDelegation)).ShouldBe(crew.Agents.Select(a => (a.Key, a.Role, a.AllowDelegation)));
        rebuilt.Tasks.Select(t => (t.Name, t.Agent, t.Description)).ShouldBe(crew.Tasks.Select(t => (t.Name, t.Agent, t.Description)));
    }

    [Theory]
    [InlineData("running", new[] { RunState.Running, RunState.AwaitingHuman })]
    [InlineData("failed", new[] { RunState.Failed, RunState.Stopped })]
    [InlineData("stopped", new[] { RunState.Stopped })]
    public void StatesFor_CoversEveryStoredStateOfAStatus(string status, RunState[] states) =>
        CrewRunRecordMapper.StatesFor(status).ShouldBe(states);

    [Fact]
    public void StatesFor_UnknownStatus_IsNull() => CrewRunRecordMapper.StatesFor("sleeping").ShouldBeNull();

    [Fact]
    public void Record_OfAPendingAdHocRun_SerializesTheSpecsEmptyFieldsAsNull()
    {
        var pending = Run(RunState.Pending, adHoc: true) with { Result = null, StartedAt = null };

        var json = System.Text.Json.JsonSerializer.SerializeToNode(
            CrewRunRecordMapper.ToRecord(pending, null), Muster.Contracts.MusterJsonContext.Default.CrewRunRecord)!.AsObject();

        foreach (var field in new[] { "crew_type", "result", "error", "started_at", "completed_at" })
        {
            json.ContainsKey(field).ShouldBeTrue($"{field} is missing from {json.ToJsonString()}");
            json[field].ShouldBeNull();
        }

        json.ContainsKey("tasks").ShouldBeFalse();
    }
}
