using Microsoft.Extensions.Options;
using Muster.Core.Crews;
using Muster.Server.Hosting;
using Muster.Server.Tokens;

namespace Muster.Server.Crews;

/// <summary>
/// The crews deployed on this server, loaded once at start from <see cref="MusterOptions.CrewsPath"/>.
/// A crew that fails to load is logged with its diagnostics and skipped; the server starts with the rest, and remembers
/// why, so that a call addressing it can say so (<see cref="FailureOf"/>).
/// </summary>
public sealed partial class CrewCatalog(IOptions<MusterOptions> options, IHostEnvironment environment, ILogger<CrewCatalog> logger)
{
    private IReadOnlyDictionary<string, CrewDefinition> _crews = new Dictionary<string, CrewDefinition>();
    private IReadOnlyDictionary<string, string> _failures = new Dictionary<string, string>();

    public IReadOnlyCollection<CrewDefinition> Crews => [.. _crews.Values];

    /// <summary>The crew that answers at the root routes: <see cref="MusterOptions.DefaultCrew"/>, or the only crew loaded.</summary>
    public CrewDefinition? RootCrew { get; private set; }

    /// <summary><see cref="MusterOptions.DefaultCrew"/>, when set.</summary>
    public string? DefaultCrewName => string.IsNullOrEmpty(options.Value.DefaultCrew) ? null : options.Value.DefaultCrew;

    /// <summary>The folder names of the crews that failed to load.</summary>
    public IReadOnlyCollection<string> FailedCrews => [.. _failures.Keys];

    public CrewDefinition? Find(string name) => _crews.GetValueOrDefault(name);

    /// <summary>
    /// The crew named <paramref name="name"/> (the root crew for null) as <paramref name="principal"/> may use it: null when it
    /// does not exist or the principal's token does not cover it.
    /// </summary>
    public CrewDefinition? Find(MusterPrincipal principal, string? name)
    {
        var crew = name is null ? RootCrew : Find(name);
        return crew is not null && principal.CoversCrew(crew.Name) ? crew : null;
    }

    /// <summary>The crews <paramref name="principal"/>'s token covers, by name.</summary>
    public IReadOnlyList<CrewDefinition> CoveredBy(MusterPrincipal principal) =>
        [.. Crews.Where(crew => principal.CoversCrew(crew.Name)).OrderBy(crew => crew.Name, StringComparer.Ordinal)];

    /// <summary>
    /// Why the crew in the folder named <paramref name="name"/> did not load (its first error, with the file relative to the
    /// crews folder, and how many more the log holds), or null when no crew of that name failed.
    /// </summary>
    public string? FailureOf(string name) => _failures.GetValueOrDefault(name);

    public void Load()
    {
        var path = Path.GetFullPath(options.Value.CrewsPath, environment.ContentRootPath);
        if (!Directory.Exists(path))
        {
            LogFolderMissing(logger, path);
            return;
        }

        var crews = new Dictionary<string, CrewDefinition>(StringComparer.Ordinal);
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var result in CrewLoader.LoadCatalog(path))
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                LogDiagnostic(logger, result.Path, diagnostic.ToString() ?? string.Empty);
            }

            if (result.Crew is null)
            {
                LogSkipped(logger, result.Path);
                failures[FolderName(result.Path)] = Reason(result);
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
        _failures = failures;
        RootCrew = ChooseRoot(crews, options.Value.DefaultCrew);
    }

    private static string FolderName(string path) => Path.GetFileName(Path.TrimEndingDirectorySeparator(path));

    /// <summary>The first error, its file relative to the crews folder (an API answer shows no server paths).</summary>
    private static string Reason(CrewLoadResult result)
    {
        var errors = result.Errors.ToList();
        if (errors.Count == 0)
        {
            return "the server's log says why";
        }

        var first = errors[0];
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(result.Path)) ?? result.Path;
        var reason = (first with { File = Path.GetRelativePath(parent, first.File) }).ToString();
        return errors.Count == 1 ? reason : $"{reason} (and {errors.Count - 1} more {(errors.Count == 2 ? "error" : "errors")} in the server's log)";
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
