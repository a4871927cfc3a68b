using Muster.Core.Crews;

namespace Muster.Core.Tests;

public sealed class CrewLoaderTests
{
    private const string TemplateAgents = """
        researcher:
          role: >
            {topic} Senior Data Researcher
          goal: >
            Uncover cutting-edge developments in {topic}
          backstory: >
            You're a seasoned researcher with a knack for uncovering the latest
            developments in {topic}.

        reporting_analyst:
          role: >
            {topic} Reporting Analyst
          goal: >
            Create detailed reports based on {topic} data analysis and research findings
          backstory: >
            You're a meticulous analyst with a keen eye for detail.
        """;

    private const string TemplateTasks = """
        research_task:
          description: >
            Conduct a thorough research about {topic}
            Make sure you find any interesting and relevant information given
            the current year is {current_year}.
          expected_output: >
            A list with 10 bullet points of the most relevant information about {topic}
          agent: researcher

        reporting_task:
          description: >
            Review the context you got and expand each topic into a full section for a report.
          expected_output: >
            A fully fledged report with the main topics, each with a full section of information.
            Formatted as markdown without '```'
          agent: reporting_analyst
          output_file: report.md
        """;

    private const string OneAgent = "writer:\n  role: Writer\n  goal: Write\n  backstory: Writes things\n";

    [Fact]
    public void LoadFolder_CrewAiTemplateProject_LoadsUnchanged()
    {
        using var folder = new TempFolder();
        var crewDir = Path.Combine(folder.Path, "latest_ai");
        folder.Write("latest_ai/pyproject.toml", "[project]\nname = \"latest_ai\"\n");
        folder.Write("latest_ai/src/latest_ai/crew.py", "# CrewBase class\n");
        folder.Write("latest_ai/src/latest_ai/config/agents.yaml", TemplateAgents);
        folder.Write("latest_ai/src/latest_ai/config/tasks.yaml", TemplateTasks);

        var result = CrewLoader.LoadFolder(crewDir);

        result.Diagnostics.ShouldBeEmpty();
        var crew = result.Crew.ShouldNotBeNull();
        crew.Name.ShouldBe("latest_ai");
        crew.Agents.Select(a => a.Key).ShouldBe(["researcher", "reporting_analyst"]);
        crew.Agents[0].Role.ShouldBe("{topic} Senior Data Researcher\n");
        crew.Agents[0].MaxIter.ShouldBe(25);
        crew.Tasks.Select(t => t.Name).ShouldBe(["research_task", "reporting_task"]);
        crew.Tasks[1].OutputFile.ShouldBe("report.md");
        crew.Tasks[1].Context.ShouldBeNull();
        crew.Inputs.ShouldBe(["topic", "current_year"]);
    }

    [Fact]
    public void LoadFolder_FlatLayoutWithCrewYaml_TakesNameLlmAndOrder()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", "first:\n  description: One\n  expected_output: A\n  agent: writer\nsecond:\n  description: Two\n  expected_output: B\n  agent: writer\n");
        folder.Write("crew.yaml", "name: my-crew\ndescription: Demo\nllm: ollama/llama3.1\nprocess: sequential\ntasks: [second, first]\n");

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Diagnostics.ShouldBeEmpty();
        result.Crew!.Name.ShouldBe("my-crew");
        result.Crew.Llm.ShouldBe("ollama/llama3.1");
        result.Crew.Tasks.Select(t => t.Name).ShouldBe(["second", "first"]);
    }

    [Theory]
    [InlineData("agents.yaml", "writer:\n  role: Writer\n   goal: misindented\n", null, 3, "YAML syntax error")]
    [InlineData("tasks.yaml", OneAgent, "t:\n  description: D\n  expected_output: E\n  agent: nobody\n", 4, "unknown agent 'nobody'")]
    [InlineData("tasks.yaml", OneAgent, "t:\n  description: D\n  expected_output: E\n  agent: writer\n  context: [ghost]\n", 5, "unknown task 'ghost'")]
    [InlineData("tasks.yaml", OneAgent, "a:\n  description: D\n  expected_output: E\n  agent: writer\n  context:\n    - b\nb:\n  description: D\n  expected_output: E\n  agent: writer\n", 6, "does not run before it")]
    [InlineData("tasks.yaml", OneAgent, "t:\n  description: D\n  expected_output: E\n  agent: writer\nt:\n  description: D2\n  expected_output: E2\n  agent: writer\n", 5, "duplicate name")]
    [InlineData("tasks.yaml", OneAgent, "t:\n  description: \"  \"\n  expected_output: E\n  agent: writer\n", 2, "'description' is required")]
    [InlineData("tasks.yaml", OneAgent, "t:\n  expected_output: E\n  agent: writer\n", 1, "'description' is required")]
    [InlineData("agents.yaml", "writer:\n  role: Writer\n  goal: Write\n  backstory: B\n  tools:\n    - calculator\n    - teleporter\n", null, 7, "unknown tool 'teleporter'")]
    [InlineData("agents.yaml", "writer:\n  role: Writer\n  goal: Write\n  backstory: B\n  max_iter: lots\n", null, 5, "'max_iter' must be a whole number")]
    public void LoadFolder_WithProblem_ReportsItWithFileAndLine(string file, string agents, string? tasks, int line, string message)
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", agents);
        folder.Write("tasks.yaml", tasks ?? "t:\n  description: D\n  expected_output: E\n  agent: writer\n");

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Crew.ShouldBeNull();
        var error = result.Errors.ShouldHaveSingleItem();
        error.File.ShouldBe(Path.Combine(folder.Path, file));
        error.Line.ShouldBe(line);
        error.Message.ShouldContain(message);
        error.ToString().ShouldStartWith($"{Path.Combine(folder.Path, file)}:{line}:");
        error.ToString().ShouldContain(": error: ");
    }

    [Fact]
    public void LoadFolder_HierarchicalWithManagerLlm_LoadsTasksWithoutAgents()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n");
        folder.Write("crew.yaml", "name: h\nprocess: hierarchical\nmanager_llm: openai/gpt-4o\n");

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Diagnostics.ShouldBeEmpty();
        result.Crew!.Process.ShouldBe(CrewProcess.Hierarchical);
        result.Crew.ManagerLlm.ShouldBe("openai/gpt-4o");
        result.Crew.Tasks[0].Agent.ShouldBeNull();
    }

    [Fact]
    public void LoadFolder_ManagerAgent_IsTheManagerAndNotOneOfTheCrewsAgents()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent + "boss:\n  role: \"{topic} Editor\"\n  goal: Lead\n  backstory: Leads\n  allow_delegation: true\n");
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");
        folder.Write("crew.yaml", "process: hierarchical\nmanager_agent: boss\n");

        var crew = CrewLoader.LoadFolder(folder.Path).Crew.ShouldNotBeNull();

        crew.Agents.Select(a => a.Key).ShouldBe(["writer"]);
        crew.ManagerAgent!.Key.ShouldBe("boss");
        crew.Inputs.ShouldBe(["topic"]);
        CrewInterpolator.Interpolate(crew, new System.Text.Json.Nodes.JsonObject { ["topic"] = "News" }).ManagerAgent!.Role.ShouldBe("News Editor");
    }

    [Theory]
    [InlineData("crew.yaml", "process: hierarchical\n", null, 1, "a hierarchical crew needs a manager: set manager_llm")]
    [InlineData("crew.yaml", "process: hierarchical\nmanager_agent: ghost\n", null, 2, "manager_agent: 'ghost' is not an agent of agents.yaml")]
    [InlineData("agents.yaml", "process: hierarchical\nmanager_agent: boss\n", "boss:\n  role: Boss\n  goal: G\n  backstory: B\n  tools: [calculator]\n", 9, "a manager may not have tools")]
    [InlineData("tasks.yaml", "process: hierarchical\nmanager_agent: boss\n", "boss:\n  role: Boss\n  goal: G\n  backstory: B\n", 4, "agent 'boss' is the crew's manager_agent")]
    public void LoadFolder_ManagerProblem_IsReportedWithFileAndLine(string file, string crewYaml, string? managerYaml, int line, string message)
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent + managerYaml);
        folder.Write("tasks.yaml", $"t:\n  description: D\n  expected_output: E\n  agent: {(file == "tasks.yaml" ? "boss" : "writer")}\n");
        folder.Write("crew.yaml", crewYaml);

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Crew.ShouldBeNull();
        var error = result.Errors.ShouldHaveSingleItem();
        error.File.ShouldBe(Path.Combine(folder.Path, file));
        error.Line.ShouldBe(line);
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void LoadFolder_OutputJson_AsYamlOrJsonString_IsATypedSchema()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", """
            a:
              description: D
              expected_output: E
              agent: writer
              output_json:
                type: object
                properties:
                  score: {type: integer, minimum: 1}
                  label: {type: string, enum: ["1", "true"]}
                required: [score]
                additionalProperties: false
            b:
              description: D
              expected_output: E
              agent: writer
              output_json: '{"type": "object", "required": ["x"]}'
              guardrail: Mention x.
              guardrail_max_retries: 0
            """);

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Diagnostics.ShouldBeEmpty();
        result.Crew!.Tasks[0].OutputJson!.ToJsonString().ShouldBe(
            """{"type":"object","properties":{"score":{"type":"integer","minimum":1},"label":{"type":"string","enum":["1","true"]}},"required":["score"],"additionalProperties":false}""");
        result.Crew.Tasks[1].OutputJson!["required"]![0]!.GetValue<string>().ShouldBe("x");
        result.Crew.Tasks[1].GuardrailMaxRetries.ShouldBe(0);
    }

    [Theory]
    [InlineData("  output_json: '{not json'\n", 5, "'output_json' is not valid JSON")]
    [InlineData("  output_json:\n    type: array\n", 6, "the schema's type must be 'object'")]
    [InlineData("  output_json:\n    type: object\n    minProperties: lots\n", 6, "'output_json' is not a usable JSON Schema")]
    [InlineData("  async_execution: true\n  human_input: true\n", 5, "async_execution cannot be combined with human_input")]
    [InlineData("  guardrail: Be brief.\n  guardrail_max_retries: -1\n", 6, "'guardrail_max_retries' must be a whole number of at least 0")]
    public void LoadFolder_BadTaskCapability_IsReportedAtItsLine(string fields, int line, string message)
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n" + fields);

        var error = CrewLoader.LoadFolder(folder.Path).Errors.ShouldHaveSingleItem();

        error.Line.ShouldBe(line);
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void LoadFolder_UnsupportedFields_AreKeptAndWarnedWithLine()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent + "  memory: true\n");
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n  callback: my_fn\n");

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Crew.ShouldNotBeNull();
        result.Warnings.Select(w => (Path.GetFileName(w.File), w.Line)).ShouldBe([("agents.yaml", 5), ("tasks.yaml", 5)], ignoreOrder: true);
        result.Crew.Agents[0].UnsupportedFields!["memory"]!.GetValue<string>().ShouldBe("true");
        result.Crew.Tasks[0].UnsupportedFields!["callback"]!.GetValue<string>().ShouldBe("my_fn");
    }

    [Fact]
    public void LoadFolder_WithCustomToolNames_AcceptsThem()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent + "  tools: [search_web]\n");
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");

        CrewLoader.LoadFolder(folder.Path).Succeeded.ShouldBeFalse();
        CrewLoader.LoadFolder(folder.Path, ["search_web"]).Crew!.Agents[0].Tools.ShouldBe(["search_web"]);
    }

    [Fact]
    public void LoadCatalog_LoadsEachSubfolder_AndReportsBrokenOnesWithoutThrowing()
    {
        using var folder = new TempFolder();
        folder.Write("good/agents.yaml", OneAgent);
        folder.Write("good/tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");
        folder.Write("broken/agents.yaml", "writer: [\n");
        folder.Write("broken/tasks.yaml", "");
        folder.Write("empty/readme.txt", "nothing here");

        var results = CrewLoader.LoadCatalog(folder.Path);

        results.Select(r => Path.GetFileName(r.Path)).ShouldBe(["broken", "empty", "good"]);
        results[2].Crew!.Name.ShouldBe("good");
        results[0].Succeeded.ShouldBeFalse();
        results[1].Errors.ShouldHaveSingleItem().Message.ShouldContain("no agents.yaml");
    }

    [Fact]
    public void LoadCatalog_FolderThatIsACrew_LoadsItAsOne()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");

        CrewLoader.LoadCatalog(folder.Path).ShouldHaveSingleItem().Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void LoadCatalog_CrewAiProjectBesideFlatCrews_LoadsEachSubfolderAsItsOwnCrew()
    {
        // The layout docs/CREWS.md shows: a CrewAI project once made the whole folder read as one crew.
        using var folder = new TempFolder();
        foreach (var flat in new[] { "approval", "ops_review" })
        {
            folder.Write($"{flat}/agents.yaml", OneAgent);
            folder.Write($"{flat}/tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");
        }

        folder.Write("latest_ai_development/pyproject.toml", "[project]\nname = \"latest_ai_development\"\n");
        folder.Write("latest_ai_development/src/latest_ai_development/config/agents.yaml", TemplateAgents);
        folder.Write("latest_ai_development/src/latest_ai_development/config/tasks.yaml", TemplateTasks);

        var results = CrewLoader.LoadCatalog(folder.Path);

        results.Select(r => r.Crew?.Name).ShouldBe(["approval", "latest_ai_development", "ops_review"]);
        results.ShouldAllBe(r => r.Diagnostics.Count == 0);
    }

    [Fact]
    public void LoadCatalog_CrewAiProjectAsTheCatalog_LoadsItAsOneCrewWithoutAWarning()
    {
        using var folder = new TempFolder();
        folder.Write("src/latest_ai/config/agents.yaml", TemplateAgents);
        folder.Write("src/latest_ai/config/tasks.yaml", TemplateTasks);
        folder.Write("knowledge/user_preference.txt", "likes owls");
        folder.Write("tests/test_crew.py", "");

        var result = CrewLoader.LoadCatalog(folder.Path).ShouldHaveSingleItem();

        result.Crew.ShouldNotBeNull().Tasks.Count.ShouldBe(2);
        result.Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void LoadCatalog_FolderThatIsACrewAndHasCrewSubfolders_LoadsItAsOne_AndWarnsNamingTheOthers()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");
        folder.Write("approval/agents.yaml", OneAgent);
        folder.Write("approval/tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");
        folder.Write("latest_ai/src/latest_ai/config/agents.yaml", TemplateAgents);
        folder.Write("latest_ai/src/latest_ai/config/tasks.yaml", TemplateTasks);
        folder.Write("notes/readme.md", "not a crew");

        var result = CrewLoader.LoadCatalog(folder.Path).ShouldHaveSingleItem();

        result.Succeeded.ShouldBeTrue();
        var warning = result.Warnings.ShouldHaveSingleItem();
        warning.Message.ShouldContain("read as one crew");
        warning.Message.ShouldContain("subfolders approval, latest_ai hold crews too, which are not loaded");
        warning.Message.ShouldNotContain("notes");
    }
}
