using System.Text.Json.Nodes;
using Muster.Contracts;

namespace Muster.Core.Crews;

/// <summary>How a crew runs its tasks.</summary>
public enum CrewProcess
{
    /// <summary>Each task is done by its own agent, in order, and sees the outputs of the earlier tasks (or those its <c>context</c> names).</summary>
    Sequential,
    /// <summary>
    /// A manager (crew.yaml's <c>manager_agent</c>, or a built-in one on <c>manager_llm</c>) performs every task, handing work
    /// to the crew's agents through delegation tools and reviewing what they answer.
    /// </summary>
    Hierarchical,
}

/// <summary>
/// A crew as loaded from agents.yaml, tasks.yaml and crew.yaml (or given in a request).
/// Before a run starts it is interpolated with the run's inputs (<see cref="CrewInterpolator"/>);
/// the interpolated copy is the snapshot a run keeps.
/// </summary>
public sealed record CrewDefinition
{
    /// <summary>
    /// The crew's name: crew.yaml's <c>name</c>, else its folder's (an ad-hoc crew's comes with the request). Routes, tokens and
    /// run records refer to the crew by it.
    /// </summary>
    public required string Name { get; init; }
    /// <summary>crew.yaml's <c>description</c>, for people (<c>GET /api/crews</c>); null when not given.</summary>
    public string? Description { get; init; }
    /// <summary>crew.yaml's <c>process</c>: how the tasks are run.</summary>
    public CrewProcess Process { get; init; } = CrewProcess.Sequential;
    /// <summary>The crew's default model (<c>provider/model</c>); an agent's own <c>llm</c> wins.</summary>
    public string? Llm { get; init; }
    /// <summary>
    /// crew.yaml's <c>manager_llm</c> (<c>provider/model</c>): the model of the built-in manager of a hierarchical crew, and of a
    /// <see cref="ManagerAgent"/> without its own <c>llm</c>; null falls back to <see cref="Llm"/>.
    /// </summary>
    public string? ManagerLlm { get; init; }
    /// <summary>
    /// crew.yaml's <c>manager_agent</c>: the agent of agents.yaml that manages a hierarchical crew. It is not in
    /// <see cref="Agents"/>, has no tools, and no task names it. Null: the built-in manager (on <see cref="ManagerLlm"/>).
    /// </summary>
    public AgentDefinition? ManagerAgent { get; init; }
    /// <summary>crew.yaml's <c>verbose</c>: kept and echoed in run records for CrewAI compatibility; Muster does nothing different for it.</summary>
    public bool Verbose { get; init; }
    /// <summary>crew.yaml's <c>budget</c>, tightened by the kickoff's: what a run may spend; null: no limit.</summary>
    public CrewBudget? Budget { get; init; }
    /// <summary>The agents that perform tasks, in agents.yaml order (a <see cref="ManagerAgent"/> excluded).</summary>
    public required IReadOnlyList<AgentDefinition> Agents { get; init; }
    /// <summary>Tasks in execution order.</summary>
    public required IReadOnlyList<TaskDefinition> Tasks { get; init; }
    /// <summary>The placeholders of the crew: exactly the inputs a kickoff must supply, in first-seen order.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }
    /// <summary>The input values this copy was interpolated with (set by <see cref="CrewInterpolator.Interpolate"/>); null before interpolation.</summary>
    public JsonObject? InputValues { get; init; }
    /// <summary>
    /// Given in an API request (an ad-hoc crew) rather than deployed by the operator: the MCP servers it names are
    /// reached only through the host's network guard, and never started as processes.
    /// </summary>
    public bool AdHoc { get; init; }

    /// <summary>The agent whose <see cref="AgentDefinition.Key"/> is <paramref name="key"/> (case-sensitive), or null.</summary>
    /// <param name="key">An agent's key, as a task's <c>agent</c> names it.</param>
    public AgentDefinition? FindAgent(string key) => Agents.FirstOrDefault(a => a.Key == key);
}

/// <summary>An agent of agents.yaml, keyed by its name.</summary>
public sealed record AgentDefinition
{
    /// <summary>The agent's name in agents.yaml (its key), which a task's <c>agent</c> refers to.</summary>
    public required string Key { get; init; }
    /// <summary>
    /// Who the agent is (its system prompt starts "You are {role}."); co-workers, events and task outputs name the agent by
    /// it. Kept as written, so a folded YAML <c>role: &gt;</c> ends in a newline.
    /// </summary>
    public required string Role { get; init; }
    /// <summary>The agent's personal goal, told in its system prompt.</summary>
    public required string Goal { get; init; }
    /// <summary>The agent's backstory, told in its system prompt.</summary>
    public required string Backstory { get; init; }
    /// <summary>
    /// The agent's model (<c>provider/model</c>); null falls back to the crew's <c>llm</c>, then to
    /// <see cref="Muster.Core.Llm.LlmOptions.DefaultModel"/>.
    /// </summary>
    public string? Llm { get; init; }
    /// <summary>Names of the tools the agent may call (built-in or registered by the host); a task's own tools replace them for that task.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];
    /// <summary>Gives the agent CrewAI's two co-worker tools (delegate work, ask a question) towards the crew's other agents, in a sequential crew.</summary>
    public bool AllowDelegation { get; init; }
    /// <summary>LLM turns (each with its tool calls) the agent gets before it is told to give its final answer; CrewAI's default, 25.</summary>
    public int MaxIter { get; init; } = 25;
    /// <summary>At most this many of the agent's LLM calls start in any minute of a run; null: no limit.</summary>
    public int? MaxRpm { get; init; }
    /// <summary>agents.yaml's <c>verbose</c>: kept and echoed for CrewAI compatibility; Muster does nothing different for it.</summary>
    public bool Verbose { get; init; }
    /// <summary>MCP servers: a URL string, or an object with url/command/args/env/tool_filter.</summary>
    public IReadOnlyList<JsonNode> Mcps { get; init; } = [];
    /// <summary>Also gives the agent the tools of the MCP servers configured on the host (<c>Muster:Mcp:Servers</c>).</summary>
    public bool UseDefaultMcps { get; init; }
    /// <summary>Fields of agents.yaml Muster does not act on yet, kept as written (reported as warnings at load).</summary>
    public JsonObject? UnsupportedFields { get; init; }
}

/// <summary>A task of tasks.yaml; <see cref="Name"/> is its key.</summary>
public sealed record TaskDefinition
{
    /// <summary>The task's key in tasks.yaml: its <c>task_id</c> in events and statuses, and what <see cref="Context"/> lists refer to.</summary>
    public required string Name { get; init; }
    /// <summary>What the task asks: the start of its prompt.</summary>
    public required string Description { get; init; }
    /// <summary>What a good answer looks like, told to the agent as the criteria for its final answer.</summary>
    public required string ExpectedOutput { get; init; }
    /// <summary>Key of the agent that performs the task; null only in a hierarchical crew.</summary>
    public string? Agent { get; init; }
    /// <summary>Names of earlier tasks whose outputs are this task's context; null means all earlier tasks (CrewAI's default).</summary>
    public IReadOnlyList<string>? Context { get; init; }
    /// <summary>Tool names for this task only; when not empty they replace the agent's <see cref="AgentDefinition.Tools"/>.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];
    /// <summary>The run pauses after this task until a reviewer approves its output or sends it back with feedback.</summary>
    public bool HumanInput { get; init; }
    /// <summary>
    /// Where the task's output is written when it finishes: a path inside the run's own output folder (see
    /// <see cref="Outputs.OutputFiles"/>); paths that could leave it are refused. Null: no file.
    /// </summary>
    public string? OutputFile { get; init; }
    /// <summary>
    /// The task runs in the background while the crew goes on; a later task that needs it, and the end of the crew, wait for
    /// it. Cannot be combined with <see cref="HumanInput"/>.
    /// </summary>
    public bool AsyncExecution { get; init; }
    /// <summary>A JSON Schema the output must satisfy.</summary>
    public JsonNode? OutputJson { get; init; }
    /// <summary>
    /// A check of the task's output: the name of a .NET guardrail registered with the host, else a plain-language rule an LLM
    /// checks. Null: no check.
    /// </summary>
    public string? Guardrail { get; init; }
    /// <summary>How often the agent redoes the task after a failed guardrail check before the task fails; 0 fails it at the first miss.</summary>
    public int GuardrailMaxRetries { get; init; } = 3;
    /// <summary>Asks the agent to format its final answer in Markdown.</summary>
    public bool Markdown { get; init; }
    /// <summary>Fields of tasks.yaml Muster does not act on yet, kept as written (reported as warnings at load).</summary>
    public JsonObject? UnsupportedFields { get; init; }

    /// <summary>CrewAI's summary: the first ten words of the description followed by "...".</summary>
    public string Summary
    {
        get
        {
            var words = Description.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return string.Join(' ', words.Take(10)) + "...";
        }
    }
}
