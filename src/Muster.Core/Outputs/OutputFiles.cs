using Muster.Core.Crews;

namespace Muster.Core.Outputs;

/// <summary>A task's <c>output_file</c> would leave its run's output folder.</summary>
public sealed class OutputFileRefusedException(string task, string message) : Exception(message)
{
    /// <summary>The task whose <c>output_file</c> is refused.</summary>
    public string Task { get; } = task;
}

/// <summary>
/// Where tasks' <c>output_file</c>s live: <c>{output root}/{run id}/{output_file}</c>. A path that is absolute, climbs
/// with <c>..</c> or passes through a symbolic link is refused, so a run writes only inside its own folder.
/// </summary>
public static class OutputFiles
{
    private const string TempSuffix = ".muster-tmp";

    /// <summary>Why <paramref name="relativePath"/> may not be an <c>output_file</c>, or null when it may (a check of the text alone).</summary>
    public static string? Problem(string relativePath)
    {
        if (string.IsNullOrWhiteSpace(relativePath) || relativePath.EndsWith('/') || relativePath.EndsWith('\\'))
        {
            return $"output_file '{relativePath}' is refused: it must name a file";
        }

        var segments = relativePath.Split('/', '\\');
        if (Path.IsPathRooted(relativePath) || relativePath.Contains(':', StringComparison.Ordinal) ||
            relativePath.Contains('\0', StringComparison.Ordinal) || segments.Contains(".."))
        {
            return $"output_file '{relativePath}' is refused: it must be a relative path inside the run's output folder, without '..'";
        }

        return segments[^1].EndsWith(TempSuffix, StringComparison.Ordinal) ? $"output_file '{relativePath}' is refused: names ending in {TempSuffix} are Muster's own" : null;
    }

    /// <summary>Checks every <c>output_file</c> of <paramref name="crew"/> (interpolated), throwing for the first one refused.</summary>
    /// <exception cref="OutputFileRefusedException">A task's <c>output_file</c> fails <see cref="Problem"/>.</exception>
    public static void EnsureAllowed(CrewDefinition crew)
    {
        foreach (var task in crew.Tasks)
        {
            if (task.OutputFile is { } file && Problem(file) is { } problem)
            {
                throw new OutputFileRefusedException(task.Name, $"Task '{task.Name}': {problem}.");
            }
        }
    }

    /// <summary>The folder of one run's files.</summary>
    public static string RunFolder(string outputRoot, Guid runId) => Path.Combine(Path.GetFullPath(outputRoot), runId.ToString("D"));

    /// <summary>The full path of <paramref name="relativePath"/> inside the run's folder.</summary>
    /// <exception cref="InvalidOperationException">The path is refused (see <see cref="Problem"/>), or passes through a symbolic link.</exception>
    public static string Resolve(string outputRoot, Guid runId, string relativePath)
    {
        if (Problem(relativePath) is { } problem)
        {
            throw new InvalidOperationException(problem + ".");
        }

        var folder = RunFolder(outputRoot, runId);
        var full = Path.GetFullPath(Path.Combine(folder, relativePath));
        if (!full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"output_file '{relativePath}' is refused: it leaves the run's output folder.");
        }

        // A link inside the folder (made by anything but Muster) could point anywhere; none is followed.
        for (var path = full; path is not null && path.Length >= folder.Length; path = Path.GetDirectoryName(path))
        {
            if (new FileInfo(path).LinkTarget is not null)
            {
                throw new InvalidOperationException($"output_file '{relativePath}' is refused: '{Path.GetRelativePath(folder, path)}' is a symbolic link.");
            }
        }

        return full;
    }

    /// <summary>
    /// Writes the file whole or not at all: a temporary file beside it, then a rename over it, so a task re-run after a
    /// restart replaces the earlier file and a reader never sees half of one.
    /// </summary>
    public static async Task WriteAsync(string fullPath, string content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var temp = $"{fullPath}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            await File.WriteAllTextAsync(temp, content, cancellationToken);
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The run's files (relative paths with '/'), skipping links and unfinished writes.</summary>
    public static IReadOnlyList<FileInfo> List(string outputRoot, Guid runId)
    {
        var folder = new DirectoryInfo(RunFolder(outputRoot, runId));
        if (!folder.Exists || folder.LinkTarget is not null)
        {
            return [];
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        return [.. folder.EnumerateFiles("*", options)
            .Where(file => !file.Name.EndsWith(TempSuffix, StringComparison.Ordinal))
            .OrderBy(file => file.FullName, StringComparer.Ordinal)];
    }

    /// <summary>Deletes the run's folder and everything in it (nothing when it has none).</summary>
    public static void DeleteRun(string outputRoot, Guid runId)
    {
        var folder = new DirectoryInfo(RunFolder(outputRoot, runId));
        if (folder.LinkTarget is not null)
        {
            folder.Delete();
        }
        else if (folder.Exists)
        {
            folder.Delete(recursive: true);
        }
    }
}
