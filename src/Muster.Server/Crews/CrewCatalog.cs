using Microsoft.Extensions.Options;
using Muster.Core.Crews;
using Muster.Server.Hosting;

namespace Muster.Server.Crews;

/// <summary>
/// The crews deployed on this server, loaded once at start from <see cref="MusterOptions.CrewsPath"/>.
/// A crew that fails to load is logged with its diagnostics and skipped; the server starts with the rest.
/// </summary>
public sealed partial class CrewCatalog(IOptions<MusterOptions> options, IHostEnvironment environment, ILogger<CrewCatalog> logger)
{
    private IReadOnlyDictionary<string, CrewDefinition> _crews = new Dictionary<string, CrewDefinition>();

    public IReadOnlyCollection<CrewDefinition> Crews => [.. _crews.Values];

    /// <summary>The crew that answers at the root routes: <see cref="MusterOptions.DefaultCrew"/>, or the only crew loaded.</summary>
    public CrewDefinition? RootCrew { get; private set; }

    public CrewDefinition? Find(string name) => _crews.GetValueOrDefault(name);

    public void Load()
    {
        var path = Path.GetFullPath(options.Value.CrewsPath, environment.ContentRootPath);
        if (!Directory.Exists(path))
        {
            LogFolderMissing(logger, path);
            return;
        }

        var crews = new Dictionary<string, CrewDefinition>(StringComparer.Ordinal);
        foreach (var result in CrewLoader.LoadCatalog(path))
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                LogDiagnostic(logger, result.Path, diagnostic.ToString() ?? string.Empty);
            }

            if (result.Crew is null)
            {
                LogSkipped(logger, result.Path);
            }
            else if (!crews.TryAdd(result.Crew.Name, result.Crew))
            {
                LogDuplicate(logger, result.Crew.Name, result.Path);
            }
            else
            {
                LogLoaded(logger, result.Crew.Name, result.Crew.Tasks.Count, result.Crew.Inputs.Count);
            }
        }

        _crews = crews;
        RootCrew = ChooseRoot(crews, options.Value.DefaultCrew);
    }

    private CrewDefinition? ChooseRoot(Dictionary<string, CrewDefinition> crews, string? defaultCrew)
    {
        if (!string.IsNullOrEmpty(defaultCrew))
        {
            if (crews.TryGetValue(defaultCrew, out var chosen))
            {
                return chosen;
            }

            LogDefaultMissing(logger, defaultCrew);
        }

        return crews.Count == 1 ? crews.Values.Single() : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The crews folder {Path} does not exist; no crews are served (set Muster:CrewsPath)")]
    private static partial void LogFolderMissing(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Crew at {Path}: {Diagnostic}")]
    private static partial void LogDiagnostic(ILogger logger, string path, string diagnostic);

    [LoggerMessage(Level = LogLevel.Error, Message = "The crew at {Path} failed to load and is not served")]
    private static partial void LogSkipped(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "A second crew named {Name} at {Path} is not served; crew names must be unique")]
    private static partial void LogDuplicate(ILogger logger, string name, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded crew {Name}: {Tasks} tasks, {Inputs} inputs")]
    private static partial void LogLoaded(ILogger logger, string name, int tasks, int inputs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Muster:DefaultCrew names {Name}, which is not loaded; the root routes answer only when one crew is loaded")]
    private static partial void LogDefaultMissing(ILogger logger, string name);
}
