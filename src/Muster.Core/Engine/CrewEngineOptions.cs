namespace Muster.Core.Engine;

/// <summary>Engine settings; the host sets them with <c>services.Configure&lt;CrewEngineOptions&gt;(...)</c>.</summary>
public sealed class CrewEngineOptions
{
    /// <summary>Where tasks' <c>output_file</c>s are written; a path escaping this folder is refused.</summary>
    public string OutputRoot { get; set; } = "output";

    /// <summary>How often an answer that does not satisfy a task's <c>output_json</c> is sent back with the errors before the task fails (0: never).</summary>
    public int OutputJsonMaxRetries { get; set; } = 3;
}

/// <summary>Resolves and writes tasks' <c>output_file</c>s inside the output root, refusing paths that escape it.</summary>
internal static class OutputFiles
{
    /// <exception cref="InvalidOperationException">The path is absolute or leaves the output root.</exception>
    public static string Resolve(string outputRoot, string relativePath)
    {
        var segments = relativePath.Split('/', '\\');
        if (Path.IsPathRooted(relativePath) || relativePath.Contains(':', StringComparison.Ordinal) || segments.Contains(".."))
        {
            throw new InvalidOperationException($"output_file '{relativePath}' is refused: it must be a relative path inside the output folder, without '..'.");
        }

        var root = Path.GetFullPath(outputRoot);
        var full = Path.GetFullPath(Path.Combine(root, relativePath));
        if (!full.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"output_file '{relativePath}' is refused: it leaves the output folder.");
        }

        return full;
    }

    public static async Task WriteAsync(string fullPath, string content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        await File.WriteAllTextAsync(fullPath, content, cancellationToken);
    }
}
