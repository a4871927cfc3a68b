using Microsoft.Extensions.Options;
using Muster.Contracts.Runs;
using Muster.Core.Engine;
using Muster.Core.Outputs;
using Muster.Storage;

namespace Muster.Server.CrewRuns;

/// <summary>
/// The files runs wrote (<c>output_file</c>), each run in its own folder below <see cref="CrewEngineOptions.OutputRoot"/>:
/// listed and opened for the history API (callers check ownership first), deleted with their run.
/// </summary>
internal sealed partial class RunOutputFiles(IOptions<CrewEngineOptions> engineOptions, ILogger<RunOutputFiles> logger)
{
    private string Root => engineOptions.Value.OutputRoot;

    public IReadOnlyList<RunFileRecord> List(Guid runId)
    {
        var folder = OutputFiles.RunFolder(Root, runId);
        return [.. OutputFiles.List(Root, runId).Select(file => new RunFileRecord
        {
            Path = Path.GetRelativePath(folder, file.FullName).Replace(Path.DirectorySeparatorChar, '/'),
            Size = file.Length,
            ModifiedAt = file.LastWriteTimeUtc,
        })];
    }

    /// <summary>The file at <paramref name="path"/> in the run's folder, or null when there is none or the path is refused.</summary>
    public FileInfo? Find(Guid runId, string path)
    {
        try
        {
            var file = new FileInfo(OutputFiles.Resolve(Root, runId, path));
            return file.Exists ? file : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Refused, or a name the file system cannot hold (too long, say): either way the run has no such file.
            return null;
        }
    }

    /// <summary>Deletes the run's files; a failure is logged, not thrown, since the run itself is already gone.</summary>
    public void Delete(Guid runId)
    {
        try
        {
            OutputFiles.DeleteRun(Root, runId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(logger, ex, runId);
        }
    }

    /// <summary>Deletes the folders of runs the store no longer has (those the retention purge removed).</summary>
    public async Task<int> DeleteOrphansAsync(IRunStore store, CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(Path.GetFullPath(Root));
        if (!root.Exists)
        {
            return 0;
        }

        var deleted = 0;
        foreach (var folder in root.EnumerateDirectories())
        {
            if (Guid.TryParseExact(folder.Name, "D", out var runId) && await store.GetRunAsync(runId, cancellationToken) is null)
            {
                Delete(runId);
                deleted++;
            }
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the output files of run {RunId}")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, Guid runId);
}
