using Muster.Core.Crews;

namespace Muster.Core.Engine;

/// <summary>The prompts CrewAI gives its agents, so crews written for CrewAI behave the same here.</summary>
internal static class Prompts
{
    public const string ContextDivider = "\n\n----------\n\n";

    public const string ForceFinalAnswer =
        "Now it's time you MUST give your absolute best final answer. You'll ignore all previous instructions, " +
        "stop using any tools, and just return your absolute BEST Final answer.";

    public static string System(AgentDefinition agent) =>
        $"You are {agent.Role}. {agent.Backstory}\nYour personal goal is: {agent.Goal}";

    public static string Task(TaskDefinition task, string context, string? instructions = null)
    {
        var prompt = $"{task.Description}\n\nThis is the expected criteria for your final answer: {task.ExpectedOutput}\n" +
            "you MUST return the actual complete content as the final answer, not a summary." + instructions;
        if (task.Markdown)
        {
            prompt += "\n\nYour final answer MUST be formatted in Markdown syntax: use # for headers, ** for bold, " +
                "* or - for lists and ``` for code blocks.";
        }

        return string.IsNullOrWhiteSpace(context) ? prompt : $"{prompt}\n\nThis is the context you're working with:\n{context}";
    }

    /// <summary>The outputs a task sees: those of its <c>context</c> tasks, or of every earlier task when it names none.</summary>
    public static string Context(TaskDefinition task, IReadOnlyList<TaskOutput> earlier)
    {
        var chosen = task.Context is null
            ? earlier
            : earlier.Where(o => task.Context.Contains(o.Name, StringComparer.Ordinal)).ToList();
        return string.Join(ContextDivider, chosen.Select(o => o.Raw));
    }

    /// <summary>What a rejected task is told when it runs again.</summary>
    public static string Revision(TaskOutput previous, string feedback) =>
        $"This is your previous answer:\n{previous.Raw}\n\nA human reviewer rejected it with this feedback:\n{feedback}\n" +
        "Give a new final answer that addresses the feedback.";

    /// <summary>Told to a task with <c>output_json</c>, whether or not the provider also enforces the schema.</summary>
    public static string StructuredOutput(System.Text.Json.Nodes.JsonObject schema) =>
        "\n\nYour final answer MUST be a single JSON object, with no text or Markdown around it, that satisfies this JSON Schema:\n" +
        schema.ToJsonString();

    /// <summary>Sent back when an answer does not satisfy the task's <c>output_json</c>.</summary>
    public static string FixStructuredOutput(IReadOnlyList<string> errors) =>
        "Your answer does not satisfy the required JSON Schema:\n- " + string.Join("\n- ", errors) +
        "\nAnswer again with only the corrected JSON object.";

    /// <summary>What an agent is told when its previous answer failed the task's guardrail.</summary>
    public static string GuardrailRetry(string previous, string feedback) =>
        $"Your previous answer did not pass the task's guardrail check.\n\nPrevious answer:\n{previous}\n\n" +
        $"Why it failed:\n{feedback}\n\nGive a new final answer that fixes this.";

    /// <summary>Added to a hierarchical crew's task prompt for its manager.</summary>
    public const string ManagerInstructions =
        "\n\nYou manage a team. Hand the work to your co-workers with the delegation tools, giving them every detail " +
        "they need (they know nothing about the task), review what they answer and ask again when it falls short, " +
        "then give the task's final answer yourself.";

    /// <summary>The expected output of work a co-worker is handed through a delegation tool.</summary>
    public const string CoworkerExpectedOutput = "Your best answer to your co-worker who asked you this, taking the shared context into account.";

    /// <summary>The manager of a hierarchical crew that names <c>manager_llm</c> rather than a <c>manager_agent</c>.</summary>
    public static AgentDefinition DefaultManager { get; } = new()
    {
        Key = "crew_manager",
        Role = "Crew Manager",
        Goal = "Manage the team to complete the task in the best way possible.",
        Backstory = "You are an experienced manager who gets the best out of a team: you know who should do what, you ask the " +
            "right questions, and you judge your team's work with the experience of someone who has done it. You do not do " +
            "the tasks yourself; you delegate them and review the answers.",
    };

    /// <summary>The checker of a plain-language guardrail: it judges a task's output against the rule.</summary>
    public static AgentDefinition GuardrailChecker { get; } = new()
    {
        Key = "guardrail",
        Role = "Guardrail Agent",
        Goal = "Decide whether a task's result complies with a rule",
        Backstory = "You check work against rules. You judge strictly and explain precisely what breaks the rule, without rewriting the work.",
        MaxIter = 1,
    };

    public static string GuardrailCheck(string rule, string output) =>
        $"Check whether this task result complies with the rule.\n\nTask result:\n{output}\n\nRule:\n{rule}\n\n" +
        "Answer with a JSON object {\"valid\": true|false, \"feedback\": \"...\"}. When it does not comply, say in feedback " +
        "exactly what breaks the rule (and by how much); do not propose a corrected result. When it complies, valid is true.";
}
