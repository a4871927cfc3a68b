using System.Text.Json.Nodes;
using Muster.Contracts.Runs;
using Muster.Core.Crews;
using Muster.Server.Runs;

namespace Muster.Server.CrewRuns;

/// <summary>
/// Translates between the engine's <see cref="CrewDefinition"/> and the crew-runs API's <see cref="CrewConfig"/>:
/// one way for the history record, the other for ad-hoc crews (see <see cref="AdHocCrewValidator"/>).
/// </summary>
internal static class CrewConfigMapper
{
    /// <summary>The name an ad-hoc crew runs under when its config has no id.</summary>
    public const string DefaultAdHocCrewName = "custom";

    public static CrewConfig ToConfig(CrewDefinition crew)
    {
        var agentIndexes = crew.Agents
            .Select((agent, index) => (agent.Key, index))
            .ToDictionary(pair => pair.Key, pair => pair.index, StringComparer.Ordinal);
        return new CrewConfig
        {
            Id = crew.Name,
            Verbose = crew.Verbose,
            Process = ProcessName(crew.Process),
            Agents = [.. crew.Agents.Select(agent => new AgentConfig
            {
                Id = agent.Key,
                Role = agent.Role,
                Goal = agent.Goal,
                Backstory = agent.Backstory,
                Verbose = agent.Verbose,
                AllowDelegation = agent.AllowDelegation,
                Tools = agent.Tools,
                UseDefaultMcps = agent.UseDefaultMcps,
                Llm = agent.Llm ?? crew.Llm,
                MaxIter = agent.MaxIter,
            })],
            Tasks = [.. crew.Tasks.Select(task => new TaskConfig
            {
                Name = task.Name,
                Description = task.Description,
                AgentIndex = task.Agent is not null && agentIndexes.TryGetValue(task.Agent, out var index) ? index : null,
                ExpectedOutput = task.ExpectedOutput,
                Tools = task.Tools,
                HumanInput = task.HumanInput,
                Context = task.Context,
            })],
        };
    }

    /// <summary>
    /// Builds the crew an ad-hoc request describes, or the field errors that prevent it
    /// (checked as strictly as a YAML crew, within <paramref name="options"/>' bounds).
    /// </summary>
    /// <param name="config">The request's crew.</param>
    /// <param name="taskInput">The request's inputs; every placeholder of the crew needs a non-null value.</param>
    /// <param name="options">The operator's bounds.</param>
    /// <param name="knownTools">The tools agents and tasks may name (the tool registry's).</param>
    public static AdHocCrewResult FromConfig(
        CrewConfig? config, JsonObject? taskInput, AdHocCrewOptions options, IReadOnlyCollection<string> knownTools)
    {
        var errors = AdHocCrewValidator.Validate(config, options, knownTools);
        if (errors.Count > 0 || config is null)
        {
            return new AdHocCrewResult(null, errors);
        }

        var process = config.Process == "hierarchical" ? CrewProcess.Hierarchical : CrewProcess.Sequential;
        var agents = config.Agents!.Select((agent, index) => new AgentDefinition
        {
            Key = agent.Id ?? $"agent_{index}",
            Role = agent.Role!,
            Goal = agent.Goal!,
            Backstory = agent.Backstory!,
            Llm = agent.Llm,
            Tools = agent.Tools ?? [],
            AllowDelegation = agent.AllowDelegation,
            MaxIter = agent.MaxIter ?? 25,
            Verbose = agent.Verbose,
            UseDefaultMcps = agent.UseDefaultMcps,
            Mcps = [.. agent.Mcps?.OfType<JsonNode>() ?? []],
        }).ToList();
        var tasks = config.Tasks!.Select((task, index) => new TaskDefinition
        {
            Name = task.Name ?? $"task_{index}",
            Description = task.Description!,
            ExpectedOutput = task.ExpectedOutput!,
            Agent = task.AgentIndex is { } agentIndex ? agents[agentIndex].Key : null,
            Context = task.Context,
            Tools = task.Tools ?? [],
            HumanInput = task.HumanInput,
        }).ToList();
        var crew = new CrewDefinition
        {
            Name = config.Id ?? DefaultAdHocCrewName,
            Process = process,
            Verbose = config.Verbose,
            Agents = agents,
            Tasks = tasks,
            Inputs = [],
            AdHoc = true,
        };
        crew = crew with { Inputs = CrewInterpolator.FindPlaceholders(crew) };
        var missing = MissingInputs(crew, taskInput);
        return new AdHocCrewResult(missing.Count == 0 ? crew : null, missing);
    }

    /// <summary>
    /// One <c>task_input.{name}</c> error per placeholder of <paramref name="crew"/> the inputs lack; a null
    /// value counts as missing, as it does for <see cref="CrewInterpolator.Interpolate"/>.
    /// </summary>
    public static IReadOnlyList<FieldError> MissingInputs(CrewDefinition crew, JsonObject? taskInput) =>
        [.. crew.Inputs
            .Where(name => taskInput?[name] is null)
            .Select(name => new FieldError($"task_input.{name}", $"Field required: the crew uses the placeholder {{{name}}}"))];

    private static string ProcessName(CrewProcess process) => process switch
    {
        CrewProcess.Hierarchical => "hierarchical",
        _ => "sequential",
    };
}

/// <summary>An ad-hoc crew ready to run, or why it is not.</summary>
internal sealed record AdHocCrewResult(CrewDefinition? Crew, IReadOnlyList<FieldError> Errors);
