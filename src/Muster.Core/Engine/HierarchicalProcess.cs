using Muster.Core.Crews;

namespace Muster.Core.Engine;

/// <summary>
/// CrewAI's hierarchical process: the crew's manager (its <c>manager_agent</c>, or a default one on <c>manager_llm</c>)
/// performs every task by delegating it: to the task's agent when it names one, else to any agent of the crew.
/// </summary>
internal sealed class HierarchicalProcess(RunContext run) : RunProcess(run)
{
    private readonly AgentDefinition _manager = run.Crew.ManagerAgent ?? Prompts.DefaultManager with { Llm = run.Crew.ManagerLlm };

    protected override Assignment Assign(TaskDefinition task)
    {
        var agent = task.Agent is null ? null : Run.Crew.FindAgent(task.Agent);
        return new Assignment(_manager, agent is not null ? [agent] : Run.Crew.Agents, Prompts.ManagerInstructions);
    }
}
