using Muster.Core.Tools;
using YamlDotNet.RepresentationModel;

namespace Muster.Core.Crews;

/// <summary>
/// Loads crews from folders: either agents.yaml + tasks.yaml (+ crew.yaml) in the folder, or an unchanged
/// CrewAI project whose <c>src/&lt;package&gt;/config/</c> holds them. A load never throws: every problem is a diagnostic.
/// </summary>
public static class CrewLoader
{
    private static readonly HashSet<string> SkippedFolders = ["node_modules", "bin", "obj", "__pycache__", "venv"];

    /// <summary>Files that make a folder a crew by themselves (see <see cref="HoldsCrewFiles"/>).</summary>
    private static readonly string[] OwnFiles = ["agents.yaml", "tasks.yaml", "crew.yaml", System.IO.Path.Combine("config", "agents.yaml")];

    /// <summary>Loads the crew in <paramref name="path"/>, checking tool names against <paramref name="tools"/> (default: the built-in tools).</summary>
    public static CrewLoadResult LoadFolder(string path, IToolRegistry? tools = null) =>
        LoadFolder(path, (tools ?? ToolRegistry.BuiltIn).Names);

    /// <summary>Loads the crew in <paramref name="path"/>, checking tool names against <paramref name="knownTools"/>.</summary>
    public static CrewLoadResult LoadFolder(string path, IEnumerable<string> knownTools)
    {
        var diagnostics = new DiagnosticBag();
        try
        {
            var crew = Load(path, knownTools.ToHashSet(StringComparer.Ordinal), diagnostics);
            return new CrewLoadResult(path, diagnostics.HasErrors ? null : crew, diagnostics.Items);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(path, null, $"cannot read the crew folder: {ex.Message}");
            return new CrewLoadResult(path, null, diagnostics.Items);
        }
    }

    /// <summary>
    /// Loads every crew of a catalog: the folder itself when it holds a crew's files (<see cref="HoldsCrewFiles"/>),
    /// otherwise each of its subfolders (hidden ones skipped), in name order, whatever each one's layout. A folder that is a
    /// crew and also has subfolders that are crews is read as the one crew, with a warning that names the others.
    /// </summary>
    public static IReadOnlyList<CrewLoadResult> LoadCatalog(string path, IToolRegistry? tools = null)
    {
        if (!Directory.Exists(path))
        {
            return [new CrewLoadResult(path, null, [new CrewDiagnostic(CrewDiagnosticSeverity.Error, path, 0, 0, "the crews folder does not exist")])];
        }

        try
        {
            var subfolders = Directory.EnumerateDirectories(path)
                .Where(d => !System.IO.Path.GetFileName(d).StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (!HoldsCrewFiles(path))
            {
                return [.. subfolders.Select(d => LoadFolder(d, tools))];
            }

            var crew = LoadFolder(path, tools);
            var alsoCrews = subfolders.Where(HoldsCrewFiles).Select(d => System.IO.Path.GetFileName(d)).ToList();
            return alsoCrews.Count == 0
                ? [crew]
                : [crew with { Diagnostics = [.. crew.Diagnostics, Ambiguous(path, alsoCrews)] }];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [new CrewLoadResult(path, null, [new CrewDiagnostic(CrewDiagnosticSeverity.Error, path, 0, 0, $"cannot list the crews folder: {ex.Message}")])];
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a crew by its own files: agents.yaml, tasks.yaml or crew.yaml in it, or a CrewAI
    /// project's <c>config/</c> or <c>src/&lt;package&gt;/config/</c> with agents.yaml. Only these fixed places are looked at,
    /// so a folder of crews is never taken for one crew because a crew inside it is a CrewAI project.
    /// </summary>
    private static bool HoldsCrewFiles(string path)
    {
        var src = System.IO.Path.Combine(path, "src");
        return OwnFiles.Any(file => File.Exists(System.IO.Path.Combine(path, file))) ||
            (Directory.Exists(src) && Directory.EnumerateDirectories(src).Any(package => File.Exists(System.IO.Path.Combine(package, "config", "agents.yaml"))));
    }

    private static CrewDiagnostic Ambiguous(string path, List<string> subfolders) => new(
        CrewDiagnosticSeverity.Warning,
        path,
        0,
        0,
        $"this folder holds a crew's files, so it is read as one crew; its {(subfolders.Count == 1 ? "subfolder" : "subfolders")} " +
        $"{string.Join(", ", subfolders)} {(subfolders.Count == 1 ? "holds a crew too, which is" : "hold crews too, which are")} not loaded. " +
        "To serve every subfolder as its own crew, move this crew's files into a subfolder of their own");

    /// <summary>The folder holding agents.yaml: the crew folder itself, or CrewAI's src/&lt;package&gt;/config.</summary>
    private static string? FindConfigFolder(string path) =>
        File.Exists(System.IO.Path.Combine(path, "agents.yaml")) || File.Exists(System.IO.Path.Combine(path, "tasks.yaml"))
            ? path
            : FindProjectConfig(path);

    private static string? FindProjectConfig(string path)
    {
        var src = System.IO.Path.Combine(path, "src");
        var roots = Directory.Exists(src) ? new[] { src, path } : [path];
        foreach (var root in roots)
        {
            var found = Directory.EnumerateFiles(root, "agents.yaml", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 })
                .Where(f => System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(f)) == "config")
                .Where(f => !f[root.Length..].Split(System.IO.Path.DirectorySeparatorChar).Any(p => p.StartsWith('.') || SkippedFolders.Contains(p)))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
            if (found is not null)
            {
                return System.IO.Path.GetDirectoryName(found);
            }
        }

        return null;
    }

    private static CrewDefinition? Load(string path, HashSet<string> knownTools, DiagnosticBag diagnostics)
    {
        if (!Directory.Exists(path))
        {
            diagnostics.Error(path, null, "the crew folder does not exist");
            return null;
        }

        var config = FindConfigFolder(path);
        if (config is null)
        {
            diagnostics.Error(path, null, "no agents.yaml found: put agents.yaml and tasks.yaml in the folder, or use a CrewAI project (src/<package>/config/)");
            return null;
        }

        var agentsPath = System.IO.Path.Combine(config, "agents.yaml");
        var tasksPath = System.IO.Path.Combine(config, "tasks.yaml");
        foreach (var required in new[] { agentsPath, tasksPath }.Where(p => !File.Exists(p)))
        {
            diagnostics.Error(required, null, "file is missing");
        }

        if (diagnostics.HasErrors)
        {
            return null;
        }

        var agentsFile = YamlFile.Load(agentsPath, diagnostics);
        var tasksFile = YamlFile.Load(tasksPath, diagnostics);
        var crewPath = System.IO.Path.Combine(path, "crew.yaml");
        var crewFile = File.Exists(crewPath) ? YamlFile.Load(crewPath, diagnostics) : null;
        if (agentsFile.Root is null || tasksFile.Root is null || crewFile is { Root: null })
        {
            return null;
        }

        var agents = CrewFileParser.ParseAgents(agentsFile, diagnostics);
        var tasks = CrewFileParser.ParseTasks(tasksFile, diagnostics);
        var crewSettings = crewFile is null ? null : CrewFileParser.ParseCrew(crewFile, diagnostics);
        if (agents.Count == 0)
        {
            diagnostics.Error(agentsPath, agentsFile.Root, "no agents defined");
        }

        if (tasks.Count == 0)
        {
            diagnostics.Error(tasksPath, tasksFile.Root, "no tasks defined");
        }

        var ordered = Order(tasks, crewSettings, crewFile?.Path, diagnostics);
        var process = crewSettings?.Process ?? CrewProcess.Sequential;
        CrewValidator.Validate(agents, agentsPath, ordered, tasksPath, knownTools, process, diagnostics);
        var manager = ManagerValidator.Validate(crewSettings, crewFile?.Path, agents, agentsPath, ordered, tasksPath, diagnostics);

        var crew = new CrewDefinition
        {
            Name = crewSettings?.Name ?? System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path))),
            Description = crewSettings?.Description,
            Process = process,
            Llm = crewSettings?.Llm,
            ManagerLlm = crewSettings?.ManagerLlm,
            ManagerAgent = manager?.Agent,
            Verbose = crewSettings?.Verbose ?? false,
            Budget = crewSettings?.Budget,
            Agents = agents.Where(a => a != manager).Select(a => a.Agent).ToList(),
            Tasks = ordered.Select(t => t.Task).ToList(),
            Inputs = [],
        };
        return crew with { Inputs = CrewInterpolator.FindPlaceholders(crew) };
    }

    /// <summary>The tasks in run order: crew.yaml's <c>tasks</c> list when given, else tasks.yaml's order.</summary>
    private static List<ParsedTask> Order(List<ParsedTask> tasks, ParsedCrewFile? settings, string? crewPath, DiagnosticBag diagnostics)
    {
        if (settings?.TaskOrder is not { } order)
        {
            return tasks;
        }

        var byName = tasks.GroupBy(t => t.Task.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var ordered = new List<ParsedTask>();
        foreach (var (name, node) in order)
        {
            if (!byName.TryGetValue(name, out var task))
            {
                diagnostics.Error(crewPath!, node, $"tasks: '{name}' is not a task of tasks.yaml");
            }
            else if (ordered.Contains(task))
            {
                diagnostics.Error(crewPath!, node, $"tasks: duplicate name '{name}'");
            }
            else
            {
                ordered.Add(task);
            }
        }

        foreach (var missing in tasks.Where(t => !ordered.Contains(t)))
        {
            diagnostics.Error(crewPath!, settings.TaskOrderNode, $"tasks: task '{missing.Task.Name}' of tasks.yaml is missing from the order");
        }

        return ordered;
    }
}

/// <summary>Cross-file checks: agents named by tasks exist, context names earlier tasks, tools are known.</summary>
internal static class CrewValidator
{
    public static void Validate(
        List<ParsedAgent> agents, string agentsPath, List<ParsedTask> tasks, string tasksPath, HashSet<string> knownTools, CrewProcess process, DiagnosticBag diagnostics)
    {
        var agentKeys = agents.Select(a => a.Agent.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            CheckTools(agent.Tools, agentsPath, knownTools, diagnostics, $"agent '{agent.Agent.Key}'");
        }

        var earlier = new HashSet<string>(StringComparer.Ordinal);
        var all = tasks.Select(t => t.Task.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var parsed in tasks)
        {
            var task = parsed.Task;
            if (string.IsNullOrWhiteSpace(task.Agent))
            {
                // In a hierarchical crew the manager chooses who does a task without an agent.
                if (process != CrewProcess.Hierarchical)
                {
                    diagnostics.Error(tasksPath, parsed.AgentNode ?? parsed.KeyNode, $"task '{task.Name}': 'agent' is required in a sequential crew");
                }
            }
            else if (!agentKeys.Contains(task.Agent))
            {
                diagnostics.Error(tasksPath, parsed.AgentNode, $"task '{task.Name}': unknown agent '{task.Agent}' (agents: {string.Join(", ", agentKeys)})");
            }

            foreach (var (name, node) in parsed.Context ?? [])
            {
                if (!all.Contains(name))
                {
                    diagnostics.Error(tasksPath, node, $"task '{task.Name}': context names unknown task '{name}'");
                }
                else if (!earlier.Contains(name))
                {
                    diagnostics.Error(tasksPath, node, $"task '{task.Name}': context names task '{name}', which does not run before it");
                }
            }

            CheckTools(parsed.Tools, tasksPath, knownTools, diagnostics, $"task '{task.Name}'");
            earlier.Add(task.Name);
        }
    }

    private static void CheckTools(List<(string Name, YamlNode Node)> tools, string path, HashSet<string> knownTools, DiagnosticBag diagnostics, string what)
    {
        foreach (var (name, node) in tools.Where(t => !knownTools.Contains(t.Name)))
        {
            diagnostics.Error(path, node, $"{what}: unknown tool '{name}' (known tools: {string.Join(", ", knownTools.Order(StringComparer.Ordinal))})");
        }
    }
}
