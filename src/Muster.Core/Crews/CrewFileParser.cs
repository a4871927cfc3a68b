using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Outputs;
using YamlDotNet.RepresentationModel;

namespace Muster.Core.Crews;

/// <summary>A parsed agent or task with the YAML nodes its cross-references came from, for validation messages.</summary>
internal sealed record ParsedAgent(AgentDefinition Agent, YamlNode KeyNode, List<(string Name, YamlNode Node)> Tools);

internal sealed record ParsedTask(
    TaskDefinition Task,
    YamlNode KeyNode,
    YamlNode? AgentNode,
    List<(string Name, YamlNode Node)>? Context,
    List<(string Name, YamlNode Node)> Tools);

/// <summary>crew.yaml's fields (what CrewAI keeps in crew.py).</summary>
internal sealed record ParsedCrewFile(
    string? Name,
    string? Description,
    CrewProcess Process,
    string? Llm,
    string? ManagerLlm,
    bool Verbose,
    List<(string Name, YamlNode Node)>? TaskOrder,
    YamlNode? TaskOrderNode,
    (string Name, YamlNode Node)? ManagerAgent,
    YamlNode? ProcessNode,
    CrewBudget? Budget);

/// <summary>Turns agents.yaml, tasks.yaml and crew.yaml mappings into definitions, reporting every field it cannot use.</summary>
internal static class CrewFileParser
{
    private static readonly HashSet<string> AgentFields =
        ["role", "goal", "backstory", "llm", "tools", "allow_delegation", "max_iter", "max_rpm", "verbose", "mcps", "use_default_mcps"];

    private static readonly HashSet<string> TaskFields =
        ["description", "expected_output", "name", "agent", "context", "tools", "human_input", "output_file", "markdown", "async_execution", "output_json", "guardrail", "guardrail_max_retries"];

    private static readonly HashSet<string> CrewFields = ["name", "description", "process", "llm", "manager_llm", "manager_agent", "tasks", "verbose", "budget"];

    public static List<ParsedAgent> ParseAgents(YamlFile file, DiagnosticBag diagnostics)
    {
        var agents = new List<ParsedAgent>();
        foreach (var (key, keyNode, value) in YamlFile.Entries(file.Root!))
        {
            if (value is not YamlMappingNode fields)
            {
                diagnostics.Error(file.Path, keyNode, $"agent '{key}' must be a mapping of fields (role, goal, backstory, ...)");
                continue;
            }

            var entries = YamlFile.Entries(fields).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            var tools = entries.TryGetValue("tools", out var toolsNode) ? file.Names(toolsNode, "tools") : [];
            var mcps = entries.TryGetValue("mcps", out var mcpsNode) ? McpList(mcpsNode) : [];
            foreach (var problem in mcps.Select(McpProblem).OfType<string>())
            {
                diagnostics.Error(file.Path, mcpsNode, $"agent '{key}': mcps: {problem}");
            }

            var allowDelegation = entries.TryGetValue("allow_delegation", out var delegationNode) && file.Bool(delegationNode, "allow_delegation") == true;
            var agent = new AgentDefinition
            {
                Key = key,
                Role = Required(file, diagnostics, keyNode, entries, "role", $"agent '{key}'"),
                Goal = Required(file, diagnostics, keyNode, entries, "goal", $"agent '{key}'"),
                Backstory = Required(file, diagnostics, keyNode, entries, "backstory", $"agent '{key}'"),
                Llm = Optional(file, entries, "llm"),
                Tools = tools.Select(t => t.Name).ToList(),
                AllowDelegation = allowDelegation,
                MaxIter = entries.TryGetValue("max_iter", out var maxIter) ? file.PositiveInt(maxIter, "max_iter") ?? 25 : 25,
                MaxRpm = entries.TryGetValue("max_rpm", out var maxRpm) ? file.PositiveInt(maxRpm, "max_rpm") : null,
                Verbose = entries.TryGetValue("verbose", out var verbose) && file.Bool(verbose, "verbose") == true,
                Mcps = mcps,
                UseDefaultMcps = entries.TryGetValue("use_default_mcps", out var udm) && file.Bool(udm, "use_default_mcps") == true,
                UnsupportedFields = Unsupported(file, diagnostics, fields, AgentFields, $"agent '{key}'"),
            };
            agents.Add(new ParsedAgent(agent, keyNode, tools));
        }

        return agents;
    }

    public static List<ParsedTask> ParseTasks(YamlFile file, DiagnosticBag diagnostics)
    {
        var tasks = new List<ParsedTask>();
        foreach (var (key, keyNode, value) in YamlFile.Entries(file.Root!))
        {
            if (value is not YamlMappingNode fields)
            {
                diagnostics.Error(file.Path, keyNode, $"task '{key}' must be a mapping of fields (description, expected_output, ...)");
                continue;
            }

            var entries = YamlFile.Entries(fields).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            entries.TryGetValue("agent", out var agentNode);
            var context = entries.TryGetValue("context", out var contextNode) ? file.Names(contextNode, "context") : null;
            var tools = entries.TryGetValue("tools", out var toolsNode) ? file.Names(toolsNode, "tools") : [];
            var outputFile = Optional(file, entries, "output_file");
            if (outputFile is not null && OutputFiles.Problem(outputFile) is { } outputFileProblem)
            {
                diagnostics.Error(file.Path, entries["output_file"], $"task '{key}': {outputFileProblem}");
            }

            var task = new TaskDefinition
            {
                Name = key,
                Description = Required(file, diagnostics, keyNode, entries, "description", $"task '{key}'"),
                ExpectedOutput = Required(file, diagnostics, keyNode, entries, "expected_output", $"task '{key}'"),
                Agent = agentNode is null ? null : file.Text(agentNode, "agent"),
                Context = context?.Select(c => c.Name).ToList(),
                Tools = tools.Select(t => t.Name).ToList(),
                HumanInput = entries.TryGetValue("human_input", out var human) && file.Bool(human, "human_input") == true,
                OutputFile = outputFile,
                Markdown = entries.TryGetValue("markdown", out var markdown) && file.Bool(markdown, "markdown") == true,
                AsyncExecution = entries.TryGetValue("async_execution", out var async) && file.Bool(async, "async_execution") == true,
                OutputJson = entries.TryGetValue("output_json", out var outputJson) ? OutputSchemas.Parse(file, outputJson, diagnostics, $"task '{key}'") : null,
                Guardrail = Optional(file, entries, "guardrail"),
                GuardrailMaxRetries = entries.TryGetValue("guardrail_max_retries", out var retries) ? file.WholeNumber(retries, "guardrail_max_retries", 0) ?? 3 : 3,
                UnsupportedFields = Unsupported(file, diagnostics, fields, TaskFields, $"task '{key}'"),
            };
            if (task.AsyncExecution && task.HumanInput)
            {
                diagnostics.Error(file.Path, async, $"task '{key}': async_execution cannot be combined with human_input (a run cannot pause for a task that runs in the background)");
            }

            tasks.Add(new ParsedTask(task, keyNode, agentNode, context, tools));
        }

        return tasks;
    }

    public static ParsedCrewFile ParseCrew(YamlFile file, DiagnosticBag diagnostics)
    {
        var entries = YamlFile.Entries(file.Root!).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var process = CrewProcess.Sequential;
        if (entries.TryGetValue("process", out var processNode))
        {
            switch (file.Text(processNode, "process")?.ToLowerInvariant())
            {
                case null or "sequential":
                    break;
                case "hierarchical":
                    process = CrewProcess.Hierarchical;
                    break;
                case var other:
                    diagnostics.Error(file.Path, processNode, $"process must be 'sequential' or 'hierarchical', not '{other}'");
                    break;
            }
        }

        entries.TryGetValue("tasks", out var orderNode);
        var managerAgent = entries.TryGetValue("manager_agent", out var managerNode) && file.Text(managerNode, "manager_agent") is { Length: > 0 } managerKey
            ? (managerKey, managerNode)
            : ((string, YamlNode)?)null;
        Unsupported(file, diagnostics, file.Root!, CrewFields, "crew.yaml");
        return new ParsedCrewFile(
            Optional(file, entries, "name"),
            Optional(file, entries, "description"),
            process,
            Optional(file, entries, "llm"),
            Optional(file, entries, "manager_llm"),
            entries.TryGetValue("verbose", out var verbose) && file.Bool(verbose, "verbose") == true,
            orderNode is null ? null : file.Names(orderNode, "tasks"),
            orderNode,
            managerAgent,
            processNode,
            entries.TryGetValue("budget", out var budgetNode) ? CrewBudgetParser.Parse(file, budgetNode, diagnostics) : null);
    }

    private static string Required(YamlFile file, DiagnosticBag diagnostics, YamlNode owner, Dictionary<string, YamlNode> entries, string field, string what)
    {
        var value = entries.TryGetValue(field, out var node) ? file.Text(node, field) : null;
        if (string.IsNullOrWhiteSpace(value))
        {
            diagnostics.Error(file.Path, node ?? owner, $"{what}: '{field}' is required and must not be empty");
            return "";
        }

        return value;
    }

    private static string? Optional(YamlFile file, Dictionary<string, YamlNode> entries, string field)
    {
        var value = entries.TryGetValue(field, out var node) ? file.Text(node, field) : null;
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static List<JsonNode> McpList(YamlNode node) => node switch
    {
        YamlSequenceNode sequence => sequence.Children.Select(YamlFile.ToJson).OfType<JsonNode>().ToList(),
        _ => YamlFile.ToJson(node) is { } single ? [single] : [],
    };

    private static string? McpProblem(JsonNode entry)
    {
        try
        {
            McpServerSpec.Parse(entry);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    private static JsonObject? Unsupported(YamlFile file, DiagnosticBag diagnostics, YamlMappingNode fields, HashSet<string> known, string what)
    {
        JsonObject? kept = null;
        foreach (var (key, keyNode, value) in YamlFile.Entries(fields).Where(e => !known.Contains(e.Key)))
        {
            diagnostics.Warning(file.Path, keyNode, $"{what}: field '{key}' is not supported by Muster; it is kept but ignored");
            kept ??= [];
            kept[key] = YamlFile.ToJson(value);
        }

        return kept;
    }
}
