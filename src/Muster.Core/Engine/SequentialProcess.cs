using Muster.Core.Crews;

namespace Muster.Core.Engine;

/// <summary>CrewAI's sequential process: each task's own agent performs it, delegating to the others when it has <c>allow_delegation</c>.</summary>
internal sealed class SequentialProcess(RunContext run) : RunProcess(run)
{
    protected override Assignment Assign(TaskDefinition task)
    {
        var agent = task.Agent is null ? null : Run.Crew.FindAgent(task.Agent);
        return agent is { AllowDelegation: true }
            ? new Assignment(agent, Run.Crew.Agents.Where(a => a.Key != agent.Key).ToList(), Instructions: null)
            : new Assignment(agent, [], Instructions: null);
    }
}
