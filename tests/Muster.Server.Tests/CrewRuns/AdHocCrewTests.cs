using System.Text.Json.Nodes;
using Muster.Contracts.Runs;
using Muster.Core.Crews;
using Muster.Server.CrewRuns;

namespace Muster.Server.Tests.CrewRuns;

public sealed class AdHocCrewTests
{
    private static readonly AdHocCrewOptions Defaults = new();
    internal static readonly string[] KnownTools = ["ok", "search", "pen"];

    private static AgentConfig Agent(string? id = "researcher") => new()
    {
        Id = id,
        Role = "Senior {topic} researcher",
        Goal = "Find facts",
        Backstory = "Curious",
    };

    private static TaskConfig Task(int? agentIndex = 0, string? name = null) => new()
    {
        Name = name,
        Description = "Research {topic} for {audience}",
        ExpectedOutput = "A list",
        AgentIndex = agentIndex,
    };

    private static CrewConfig Crew(IReadOnlyList<AgentConfig>? agents = null, IReadOnlyList<TaskConfig>? tasks = null) => new()
    {
        Agents = agents ?? [Agent()],
        Tasks = tasks ?? [Task()],
    };

    private static JsonObject Inputs() => new() { ["topic"] = "AI", ["audience"] = "kids" };

    private static IEnumerable<string> ErrorPaths(CrewConfig? config, JsonObject? inputs = null, AdHocCrewOptions? options = null) =>
        CrewConfigMapper.FromConfig(config, inputs ?? Inputs(), options ?? Defaults, KnownTools).Errors.Select(e => e.Path);

    [Fact]
    public void FromConfig_WithValidCrew_BuildsDefinitionWithPlaceholdersInFirstSeenOrder()
    {
        var result = CrewConfigMapper.FromConfig(Crew(tasks: [Task(name: "research"), Task(name: "write")]), Inputs(), Defaults, KnownTools);

        result.Errors.ShouldBeEmpty();
        var crew = result.Crew.ShouldNotBeNull();
        crew.Name.ShouldBe(CrewConfigMapper.DefaultAdHocCrewName);
        crew.Process.ShouldBe(CrewProcess.Sequential);
        crew.Inputs.ShouldBe(["topic", "audience"]);
        crew.Agents.Single().Key.ShouldBe("researcher");
        crew.Tasks.Select(t => t.Name).ShouldBe(["research", "write"]);
        crew.Tasks.ShouldAllBe(t => t.Agent == "researcher");
    }

    [Fact]
    public void FromConfig_WithoutIdsOrNames_GeneratesKeys()
    {
        var crew = CrewConfigMapper.FromConfig(Crew(agents: [Agent(id: null)], tasks: [Task(), Task()]), Inputs(), Defaults, KnownTools).Crew.ShouldNotBeNull();

        crew.Agents.Single().Key.ShouldBe("agent_0");
        crew.Tasks.Select(t => t.Name).ShouldBe(["task_0", "task_1"]);
    }

    [Fact]
    public void FromConfig_WithJsonBracesInPrompt_DoesNotTreatThemAsInputs()
    {
        var task = Task() with { Description = """Answer as {"answer": 1} about {topic}""", ExpectedOutput = "{ }" };

        var crew = CrewConfigMapper.FromConfig(Crew(tasks: [task]), new JsonObject { ["topic"] = "x" }, Defaults, KnownTools).Crew.ShouldNotBeNull();

        crew.Inputs.ShouldBe(["topic"]);
    }

    [Fact]
    public void FromConfig_WithoutConfig_ReportsCrewConfig() =>
        ErrorPaths(null).ShouldBe(["crew_config"]);

    [Fact]
    public void FromConfig_WithMissingInput_ReportsTaskInputPath() =>
        ErrorPaths(Crew(), new JsonObject { ["topic"] = "AI" }).ShouldBe(["task_input.audience"]);

    [Fact]
    public void FromConfig_WithBlankAgentFields_ReportsEachPath()
    {
        var bad = new AgentConfig { Id = "b", Role = " ", Goal = null, Backstory = "" };

        ErrorPaths(Crew(agents: [Agent(), bad])).ShouldBe(
            ["crew_config.agents[1].role", "crew_config.agents[1].goal", "crew_config.agents[1].backstory"]);
    }

    [Fact]
    public void FromConfig_WithBlankTaskFields_ReportsEachPath()
    {
        var bad = new TaskConfig { AgentIndex = 0, Description = "", ExpectedOutput = null };

        ErrorPaths(Crew(tasks: [bad])).ShouldBe(["crew_config.tasks[0].description", "crew_config.tasks[0].expected_output"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(null)]
    public void FromConfig_WithBadAgentIndexInSequentialCrew_ReportsAgentIndex(int? index) =>
        ErrorPaths(Crew(tasks: [Task(agentIndex: index)])).ShouldBe(["crew_config.tasks[0].agent_index"]);

    [Fact]
    public void FromConfig_HierarchicalCrew_AllowsUnassignedTasks()
    {
        var crew = CrewConfigMapper.FromConfig(Crew(tasks: [Task(agentIndex: null)]) with { Process = "hierarchical" }, Inputs(), Defaults, KnownTools)
            .Crew.ShouldNotBeNull();

        crew.Process.ShouldBe(CrewProcess.Hierarchical);
        crew.Tasks.Single().Agent.ShouldBeNull();
    }

    [Fact]
    public void FromConfig_WithUnknownProcess_ReportsProcess() =>
        ErrorPaths(Crew() with { Process = "parallel" }).ShouldBe(["crew_config.process"]);

    [Fact]
    public void FromConfig_WithNoAgentsOrTasks_ReportsBoth() =>
        ErrorPaths(new CrewConfig { Agents = [], Tasks = null }).ShouldBe(["crew_config.agents", "crew_config.tasks"]);

    [Fact]
    public void FromConfig_WithTooManyAgents_ReportsAgents()
    {
        var options = new AdHocCrewOptions { MaxAgents = 2 };

        ErrorPaths(Crew(agents: [Agent("a"), Agent("b"), Agent("c")]), options: options).ShouldBe(["crew_config.agents"]);
    }

    [Fact]
    public void FromConfig_WithTooManyTasks_ReportsTasks()
    {
        var options = new AdHocCrewOptions { MaxTasks = 1 };

        ErrorPaths(Crew(tasks: [Task(), Task()]), options: options).ShouldBe(["crew_config.tasks"]);
    }

    [Fact]
    public void FromConfig_WithOverlongField_ReportsIt()
    {
        var options = new AdHocCrewOptions { MaxFieldLength = 10 };
        var agent = Agent() with { Role = "r", Backstory = new string('x', 11) };
        var task = Task() with { Description = "short", ExpectedOutput = "short" };

        ErrorPaths(Crew(agents: [agent], tasks: [task]), options: options).ShouldBe(["crew_config.agents[0].backstory"]);
    }

    [Fact]
    public void FromConfig_WithModelOutsideAllowList_ReportsLlm()
    {
        var options = new AdHocCrewOptions { AllowedModels = ["openai/gpt-4o-mini"] };
        var agents = new[] { Agent("a") with { Llm = "OpenAI/GPT-4o-mini" }, Agent("b") with { Llm = "openai/gpt-5" } };

        ErrorPaths(Crew(agents: agents), options: options).ShouldBe(["crew_config.agents[1].llm"]);
    }

    [Fact]
    public void FromConfig_WithAnyModelAllowed_AcceptsAgentModel()
    {
        var crew = CrewConfigMapper.FromConfig(Crew(agents: [Agent() with { Llm = "anthropic/claude" }]), Inputs(), Defaults, KnownTools).Crew;

        crew.ShouldNotBeNull().Agents.Single().Llm.ShouldBe("anthropic/claude");
    }

    [Fact]
    public void FromConfig_WithDuplicateAgentIds_ReportsSecond() =>
        ErrorPaths(Crew(agents: [Agent("a"), Agent("a")])).ShouldBe(["crew_config.agents[1].id"]);

    [Fact]
    public void FromConfig_WithDuplicateTaskNames_ReportsSecond() =>
        ErrorPaths(Crew(tasks: [Task(name: "t"), Task(name: "t")])).ShouldBe(["crew_config.tasks[1].name"]);

    [Theory]
    [InlineData("has space")]
    [InlineData("1starts-with-digit")]
    public void FromConfig_WithBadIdentifiers_ReportsEach(string name) =>
        ErrorPaths(Crew(agents: [Agent(name) with { Tools = ["ok", name] }], tasks: [Task(name: name)]) with { Id = name })
            .ShouldBe(["crew_config.id", "crew_config.agents[0].id", "crew_config.agents[0].tools[1]", "crew_config.tasks[0].name"]);

    [Fact]
    public void FromConfig_WithUnknownTool_ReportsToolPathAndKnownTools()
    {
        var error = CrewConfigMapper.FromConfig(Crew(tasks: [Task() with { Tools = ["search", "hack"] }]), Inputs(), Defaults, KnownTools)
            .Errors.ShouldHaveSingleItem();

        error.Path.ShouldBe("crew_config.tasks[0].tools[1]");
        error.Message.ShouldContain("ok, pen, search");
    }

    [Fact]
    public void FromConfig_WithNullInputValue_ReportsItMissing() =>
        ErrorPaths(Crew(), new JsonObject { ["topic"] = null, ["audience"] = "kids" }).ShouldBe(["task_input.topic"]);

    [Fact]
    public void FromConfig_WithContextNamingLaterTask_ReportsContext()
    {
        var first = Task(name: "first") with { Context = ["second"] };

        ErrorPaths(Crew(tasks: [first, Task(name: "second") with { Context = ["first"] }])).ShouldBe(["crew_config.tasks[0].context[0]"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void FromConfig_WithMaxIterOutOfRange_ReportsIt(int maxIter) =>
        ErrorPaths(Crew(agents: [Agent() with { MaxIter = maxIter }])).ShouldBe(["crew_config.agents[0].max_iter"]);

    [Fact]
    public void FromConfig_WithCrewId_RunsUnderThatName() =>
        CrewConfigMapper.FromConfig(Crew() with { Id = "my_crew" }, Inputs(), Defaults, KnownTools).Crew.ShouldNotBeNull().Name.ShouldBe("my_crew");
}
