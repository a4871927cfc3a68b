using Muster.Contracts.Runs;
using Muster.Core.Engine;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Runs;

/// <summary>The read and delete side of the run history. The calls that take a <see cref="RunRecord"/> take one <see cref="FindAsync"/> found.</summary>
internal sealed partial class RunService
{
    /// <summary>
    /// A page of runs the principal may see. A user token's owner filter is forced to itself. For a token limited to some
    /// crews, runs of other crews are dropped from the store's page, so a page may hold fewer than the limit while more
    /// follow (the cursor still continues where the store's page ended).
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
        return page with { Runs = [.. page.Runs.Where(run => RunAccess.Allows(principal, run, crew: null))] };
    }

    public Task<IReadOnlyList<TaskOutput>> GetTaskResultsAsync(RunRecord run, CancellationToken cancellationToken) =>
        store.GetTaskResultsAsync(run.Id, cancellationToken);

    public Task<IReadOnlyList<RunEventRecord>> GetEventsAsync(RunRecord run, long afterSequence, int limit, CancellationToken cancellationToken) =>
        store.GetEventsAsync(run.Id, afterSequence, limit, cancellationToken);

    /// <summary>Whether the run is still stored: a stream that watches it ends once it is deleted or purged.</summary>
    public async Task<bool> IsStoredAsync(RunRecord run, CancellationToken cancellationToken) =>
        await store.GetRunAsync(run.Id, cancellationToken) is not null;

    /// <summary>The files the run's tasks wrote.</summary>
    /// <summary>
    /// The run's stored events after <paramref name="afterSequence"/>, by id: for a live reader (an event stream, a protocol
    /// adapter, the console's feed) that checked access when it began watching the run.
    /// </summary>
    public Task<IReadOnlyList<RunEventRecord>> GetEventsAsync(Guid runId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        store.GetEventsAsync(runId, afterSequence, limit, cancellationToken);

    /// <summary>Whether a run with this id exists at all, whoever owns it: a client-chosen run id must not take another's.</summary>
    public async Task<bool> ExistsAsync(Guid runId, CancellationToken cancellationToken) =>
        await store.GetRunAsync(runId, cancellationToken) is not null;

    /// <summary>
    /// A run whatever its owner, for a feed shared by many viewers (the console's), which checks each viewer's access
    /// through <see cref="RunAccess"/> when the viewer subscribes.
    /// </summary>
    public Task<RunRecord?> GetUncheckedAsync(Guid runId, CancellationToken cancellationToken) => store.GetRunAsync(runId, cancellationToken);

    /// <summary>The newest runs of every owner, for a feed shared by many viewers, which filters them per viewer.</summary>
    public Task<RunPage> ListNewestAsync(int limit, CancellationToken cancellationToken) =>
        store.ListRunsAsync(new RunQuery { Limit = limit }, cancellationToken);

    public IReadOnlyList<RunFileRecord> GetFiles(RunRecord run) => files.List(run.Id);

    /// <summary>One file of the run, or null.</summary>
    public FileInfo? FindFile(RunRecord run, string path) => files.Find(run.Id, path);

    /// <summary>The run's webhooks, each with every attempt.</summary>
    public Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(RunRecord run, CancellationToken cancellationToken) =>
        deliveries.GetDeliveriesAsync(run.Id, cancellationToken);

    /// <summary>
    /// Deletes a finished run with its files, and has every node's caches forget it (this node's before this returns, so
    /// the caller's next status read already answers 404).
    /// </summary>
    public async Task<DeleteOutcome> DeleteAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (!run.State.IsFinished())
        {
            return DeleteOutcome.NotFinished;
        }

        // False here means the run vanished (deleted or purged) since it was found.
        if (!await store.DeleteRunAsync(run.Id, cancellationToken))
        {
            return DeleteOutcome.NotFound;
        }

        files.Delete(run.Id);
        await caches.RunDeletedAsync(run.Id, cancellationToken);
        return DeleteOutcome.Deleted;
    }

    /// <summary>
    /// Deletes the finished runs completed before <paramref name="completedBefore"/> (the retention purge), then has every
    /// node's caches forget every finished run, and deletes the purged runs' files. Answers how many runs went.
    /// </summary>
    public async Task<int> PurgeFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken)
    {
        var purged = await store.PurgeFinishedRunsAsync(completedBefore, cancellationToken);
        if (purged > 0)
        {
            await caches.RunsPurgedAsync(cancellationToken);
            await files.DeleteOrphansAsync(store, cancellationToken);
        }

        return purged;
    }
}

internal enum DeleteOutcome
{
    Deleted,
    NotFound,
    NotFinished,
}
