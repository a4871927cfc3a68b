namespace Muster.Testing;

/// <summary>Small crews written as YAML into a test's crews folder, in the CrewAI project layout.</summary>
public static class TestCrews
{
    /// <summary>
    /// Two sequential tasks with a <c>{topic}</c> placeholder: <c>research_task</c> then <c>report_task</c>. The writer's
    /// role is a folded scalar, as in CrewAI's project template, so it ends in a newline.
    /// </summary>
    public static void WriteTwoTaskCrew(string crewsPath, string name = "research")
    {
        Write(crewsPath, name,
            $"""
            name: {name}
            description: Two tasks for tests.
            process: sequential
            """,
            """
            researcher:
              role: "{topic} Researcher"
              goal: "Find facts about {topic}"
              backstory: "A careful researcher."
            writer:
              role: >
                {topic} Writer
              goal: "Write about {topic}"
              backstory: "A clear writer."
            """,
            """
            research_task:
              description: "Research {topic} thoroughly (task one)."
              expected_output: "Bullet points about {topic}."
              agent: researcher
            report_task:
              description: "Write a report from the research (task two)."
              expected_output: "A short report."
              agent: writer
            """);
    }

    /// <summary>One task with <c>human_input: true</c> and a <c>{question}</c> placeholder.</summary>
    public static void WriteReviewCrew(string crewsPath, string name = "support")
    {
        Write(crewsPath, name,
            $"""
            name: {name}
            process: sequential
            """,
            """
            helper:
              role: "Support helper"
              goal: "Answer questions"
              backstory: "Patient and precise."
            """,
            """
            draft_reply:
              description: "Answer the question: {question}"
              expected_output: "A reply."
              agent: helper
              human_input: true
            """);
    }

    public static void Write(string crewsPath, string name, string crewYaml, string agentsYaml, string tasksYaml)
    {
        var folder = Path.Combine(crewsPath, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "crew.yaml"), crewYaml + "\n");
        File.WriteAllText(Path.Combine(folder, "agents.yaml"), agentsYaml + "\n");
        File.WriteAllText(Path.Combine(folder, "tasks.yaml"), tasksYaml + "\n");
    }
}
