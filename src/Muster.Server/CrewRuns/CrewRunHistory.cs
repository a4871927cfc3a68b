using Muster.Core.Engine;
using Muster.Server.Auth;
using Muster.Server.Caching;
using Muster.Storage;

namespace Muster.Server.CrewRuns;

/// <summary>
/// The read and delete side of the run history, with ownership applied the way <see cref="Execution.RunService"/>
/// applies it: a user token sees only its own runs, any token only runs of the crews it covers, and a run the
/// caller may not see is reported as absent.
/// </summary>
internal sealed class CrewRunHistory(IRunStore store, RunOutputFiles files, CacheInvalidator caches)
{
    /// <summary>
    /// A page of runs the principal may see. A user token's owner filter is forced to itself. For a token limited
    /// to some crews, runs of other crews are dropped from the store's page, so a page may hold fewer than the
    /// limit while more follow (the cursor still continues where the store's page ended).
    /// </summary>
    public async Task<RunPage> ListAsync(MusterPrincipal principal, RunQuery query, CancellationToken cancellationToken)
    {
        if (!principal.IsOrganization)
        {
            query = query with { OwnerId = principal.OwnerId };
        }

        if (query.CrewName is { } crew && !principal.CoversCrew(crew))
        {
            return new RunPage([], null);
        }

        var page = await store.ListRunsAsync(query, cancellationToken);
        return page with { Runs = [.. page.Runs.Where(principal.CanAccess)] };
    }

    public async Task<RunRecord?> GetAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        return run is not null && principal.CanAccess(run) ? run : null;
    }

    public Task<IReadOnlyList<TaskOutput>> GetTaskResultsAsync(RunRecord run, CancellationToken cancellationToken) =>
        store.GetTaskResultsAsync(run.Id, cancellationToken);

    /// <summary>The files the run's tasks wrote (call after an access check).</summary>
    public IReadOnlyList<Contracts.Runs.RunFileRecord> GetFiles(RunRecord run) => files.List(run.Id);

    /// <summary>One file of the run, or null (call after an access check).</summary>
    public FileInfo? FindFile(RunRecord run, string path) => files.Find(run.Id, path);

    public Task<IReadOnlyList<RunEventRecord>> GetEventsAsync(RunRecord run, long afterSequence, int limit, CancellationToken cancellationToken) =>
        store.GetEventsAsync(run.Id, afterSequence, limit, cancellationToken);

    public async Task<DeleteOutcome> DeleteAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken)
    {
        var run = await GetAsync(principal, runId, cancellationToken);
        if (run is null)
        {
            return DeleteOutcome.NotFound;
        }

        if (!run.State.IsFinished())
        {
            return DeleteOutcome.NotFinished;
        }

        // False here means the run vanished (deleted or purged) between the read and the delete.
        if (!await store.DeleteRunAsync(runId, cancellationToken))
        {
            return DeleteOutcome.NotFound;
        }

        files.Delete(runId);
        await caches.RunDeletedAsync(runId, cancellationToken);
        return DeleteOutcome.Deleted;
    }
}

internal enum DeleteOutcome
{
    Deleted,
    NotFound,
    NotFinished,
}
