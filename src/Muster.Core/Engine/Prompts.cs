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

    public static string Task(TaskDefinition task, string context)
    {
        var prompt = $"{task.Description}\n\nThis is the expected criteria for your final answer: {task.ExpectedOutput}\n" +
            "you MUST return the actual complete content as the final answer, not a summary.";
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
}
