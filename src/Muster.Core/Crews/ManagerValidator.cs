namespace Muster.Core.Crews;

/// <summary>CrewAI's rules for a hierarchical crew's manager, checked at load with the file and line at fault.</summary>
internal static class ManagerValidator
{
    /// <summary>Checks the manager settings; returns the <c>manager_agent</c> (which is then not one of the crew's agents), or null.</summary>
    public static ParsedAgent? Validate(
        ParsedCrewFile? settings, string? crewPath, List<ParsedAgent> agents, string agentsPath, List<ParsedTask> tasks, string tasksPath, DiagnosticBag diagnostics)
    {
        if (settings is null)
        {
            return null;
        }

        ParsedAgent? manager = null;
        if (settings.ManagerAgent is var (name, node))
        {
            manager = agents.FirstOrDefault(a => a.Agent.Key == name);
            if (manager is null)
            {
                diagnostics.Error(crewPath!, node, $"manager_agent: '{name}' is not an agent of agents.yaml (agents: {string.Join(", ", agents.Select(a => a.Agent.Key))})");
            }
            else
            {
                CheckManager(manager, agentsPath, tasks, tasksPath, diagnostics);
            }

            if (settings.Process != CrewProcess.Hierarchical)
            {
                diagnostics.Warning(crewPath!, node, "manager_agent is only used by a hierarchical crew (process: hierarchical)");
            }
        }

        if (settings.Process == CrewProcess.Hierarchical && settings.ManagerLlm is null && settings.ManagerAgent is null)
        {
            diagnostics.Error(crewPath!, settings.ProcessNode,
                "a hierarchical crew needs a manager: set manager_llm (a model, e.g. openai/gpt-4o) or manager_agent (an agent of agents.yaml without tools)");
        }

        return manager;
    }

    private static void CheckManager(ParsedAgent manager, string agentsPath, List<ParsedTask> tasks, string tasksPath, DiagnosticBag diagnostics)
    {
        var key = manager.Agent.Key;
        if (manager.Tools.Count > 0)
        {
            diagnostics.Error(agentsPath, manager.Tools[0].Node, $"agent '{key}' is the crew's manager_agent, and a manager may not have tools: it delegates to its co-workers instead");
        }

        if (manager.Agent.Mcps.Count > 0)
        {
            diagnostics.Error(agentsPath, manager.KeyNode, $"agent '{key}' is the crew's manager_agent, and a manager may not have MCP tools");
        }

        foreach (var task in tasks.Where(t => t.Task.Agent == key))
        {
            diagnostics.Error(tasksPath, task.AgentNode, $"task '{task.Task.Name}': agent '{key}' is the crew's manager_agent; the manager is not one of the agents that perform tasks");
        }
    }
}
