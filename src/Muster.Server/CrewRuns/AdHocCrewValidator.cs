using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Muster.Contracts.Runs;
using Muster.Core.Crews;

namespace Muster.Server.CrewRuns;

/// <summary>
/// The rules an ad-hoc <see cref="CrewConfig"/> must meet: those a YAML crew meets (required prompts, tasks
/// that point at real agents and earlier tasks, unique names, a known process) plus the operator's bounds.
/// Every problem is reported, each with its JSON path, so a caller fixes them in one round.
/// </summary>
internal static partial class AdHocCrewValidator
{
    private const string Root = "crew_config";
    private const string NameRule = "Must be 1 to 64 letters, digits, '_' or '-', starting with a letter or '_'";
    private const int MaxModelLength = 200;
    private const int MaxIterations = 100;
    private const int MaxMcpServers = 10;

    public static IReadOnlyList<FieldError> Validate(CrewConfig? config, AdHocCrewOptions options, IReadOnlyCollection<string> knownTools)
    {
        var errors = new List<FieldError>();
        if (config is null)
        {
            errors.Add(new FieldError(Root, "Field required"));
            return errors;
        }

        if (config.Id is { } id && !NamePattern().IsMatch(id))
        {
            errors.Add(new FieldError($"{Root}.id", NameRule));
        }

        var hierarchical = config.Process == "hierarchical";
        if (config.Process is not (null or "sequential" or "hierarchical"))
        {
            errors.Add(new FieldError($"{Root}.process", "Must be 'sequential' or 'hierarchical'"));
        }

        var rules = new Rules(options, knownTools, errors);
        var agentCount = ValidateAgents(config.Agents, rules);
        ValidateTasks(config.Tasks, agentCount, hierarchical, rules);
        return errors;
    }

    private static int ValidateAgents(IReadOnlyList<AgentConfig>? agents, Rules rules)
    {
        var (options, _, errors) = rules;
        if (!CheckCount(agents, $"{Root}.agents", "agent", options.MaxAgents, errors))
        {
            // Tasks' agent indexes are still checked against the agents given, so one error is not reported as many.
            return agents?.Count ?? 0;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < agents!.Count; i++)
        {
            var path = $"{Root}.agents[{i}]";
            var agent = agents[i];
            if (agent is null)
            {
                errors.Add(new FieldError(path, "Must be an object"));
                continue;
            }

            CheckText(agent.Role, $"{path}.role", options, errors);
            CheckText(agent.Goal, $"{path}.goal", options, errors);
            CheckText(agent.Backstory, $"{path}.backstory", options, errors);
            if (agent.Id is { } id)
            {
                if (!NamePattern().IsMatch(id))
                {
                    errors.Add(new FieldError($"{path}.id", NameRule));
                }
                else if (!ids.Add(id))
                {
                    errors.Add(new FieldError($"{path}.id", $"Duplicate agent id '{id}'"));
                }
            }

            CheckModel(agent.Llm, $"{path}.llm", options, errors);
            if (agent.MaxIter is { } maxIter && maxIter is < 1 or > MaxIterations)
            {
                errors.Add(new FieldError($"{path}.max_iter", $"Must be between 1 and {MaxIterations}"));
            }

            CheckTools(agent.Tools, $"{path}.tools", rules);
            CheckMcps(agent.Mcps, $"{path}.mcps", errors);
        }

        return agents.Count;
    }

    private static void ValidateTasks(IReadOnlyList<TaskConfig>? tasks, int agentCount, bool hierarchical, Rules rules)
    {
        var (options, _, errors) = rules;
        if (!CheckCount(tasks, $"{Root}.tasks", "task", options.MaxTasks, errors))
        {
            return;
        }

        var earlier = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tasks!.Count; i++)
        {
            var path = $"{Root}.tasks[{i}]";
            var task = tasks[i];
            if (task is null)
            {
                errors.Add(new FieldError(path, "Must be an object"));
                continue;
            }

            CheckText(task.Description, $"{path}.description", options, errors);
            CheckText(task.ExpectedOutput, $"{path}.expected_output", options, errors);
            CheckAgentIndex(task.AgentIndex, agentCount, hierarchical, $"{path}.agent_index", errors);
            for (var c = 0; c < (task.Context?.Count ?? 0); c++)
            {
                if (!earlier.Contains(task.Context![c] ?? string.Empty))
                {
                    errors.Add(new FieldError($"{path}.context[{c}]", $"'{task.Context[c]}' is not the name of an earlier task"));
                }
            }

            CheckTools(task.Tools, $"{path}.tools", rules);
            var name = task.Name ?? $"task_{i}";
            if (task.Name is not null && !NamePattern().IsMatch(name))
            {
                errors.Add(new FieldError($"{path}.name", NameRule));
            }
            else if (!earlier.Add(name))
            {
                errors.Add(new FieldError($"{path}.name", $"Duplicate task name '{name}'"));
            }
        }
    }

    private static bool CheckCount<T>(IReadOnlyList<T>? items, string path, string noun, int max, List<FieldError> errors)
    {
        if (items is null || items.Count == 0)
        {
            errors.Add(new FieldError(path, $"At least one {noun} is required"));
            return false;
        }

        if (items.Count > max)
        {
            errors.Add(new FieldError(path, $"At most {max} {noun}s are allowed; got {items.Count}"));
            return false;
        }

        return true;
    }

    private static void CheckAgentIndex(int? index, int agentCount, bool hierarchical, string path, List<FieldError> errors)
    {
        if (index is null)
        {
            // A hierarchical crew's manager assigns unassigned tasks; a sequential crew has no one to.
            if (!hierarchical)
            {
                errors.Add(new FieldError(path, "Field required in a sequential crew"));
            }
        }
        else if (index < 0 || index >= agentCount)
        {
            errors.Add(new FieldError(path, agentCount == 0
                ? "Points at no agent: the crew has no valid agents"
                : $"Must be between 0 and {agentCount - 1}"));
        }
    }

    private static void CheckText(string? value, string path, AdHocCrewOptions options, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(path, "Field required"));
        }
        else if (value.Length > options.MaxFieldLength)
        {
            errors.Add(new FieldError(path, $"At most {options.MaxFieldLength} characters are allowed; got {value.Length}"));
        }
    }

    private static void CheckModel(string? model, string path, AdHocCrewOptions options, List<FieldError> errors)
    {
        if (model is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(model) || model.Length > MaxModelLength)
        {
            errors.Add(new FieldError(path, $"Must be a model name of 1 to {MaxModelLength} characters"));
        }
        else if (options.AllowedModels.Count > 0 && !options.AllowedModels.Contains(model, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError(path, $"Model '{model}' is not allowed; allowed: {string.Join(", ", options.AllowedModels)}"));
        }
    }

    private static void CheckTools(IReadOnlyList<string>? tools, string path, Rules rules)
    {
        for (var t = 0; t < (tools?.Count ?? 0); t++)
        {
            if (tools![t] is not { } tool || !rules.KnownTools.Contains(tool, StringComparer.Ordinal))
            {
                rules.Errors.Add(new FieldError(
                    $"{path}[{t}]",
                    $"Unknown tool '{tools[t]}' (known tools: {string.Join(", ", rules.KnownTools.Order(StringComparer.Ordinal))})"));
            }
        }
    }

    /// <summary>
    /// HTTP servers only: a caller may not make the server start a process. The URLs' destinations are checked at kickoff
    /// by <see cref="AdHocMcpUrls"/> (that needs DNS) and again on every connection.
    /// </summary>
    private static void CheckMcps(IReadOnlyList<JsonNode?>? mcps, string path, List<FieldError> errors)
    {
        if (mcps is null)
        {
            return;
        }

        if (mcps.Count > MaxMcpServers)
        {
            errors.Add(new FieldError(path, $"At most {MaxMcpServers} MCP servers are allowed; got {mcps.Count}"));
            return;
        }

        for (var m = 0; m < mcps.Count; m++)
        {
            try
            {
                if (McpServerSpec.Parse(mcps[m]).Transport == McpTransport.Stdio)
                {
                    errors.Add(new FieldError(
                        $"{path}[{m}]",
                        "stdio MCP servers ('command') are not allowed in ad-hoc crews, since they start a process on the server; " +
                        "use an HTTP server, or have the operator configure it in Muster:Mcp:Servers and set use_default_mcps"));
                }
            }
            catch (FormatException ex)
            {
                errors.Add(new FieldError($"{path}[{m}]", ex.Message));
            }
        }
    }

    private sealed record Rules(AdHocCrewOptions Options, IReadOnlyCollection<string> KnownTools, List<FieldError> Errors);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")]
    private static partial Regex NamePattern();
}
