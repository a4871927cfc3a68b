using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Muster.Contracts.Amp;
using Muster.Core.Engine;
using Muster.Server.Caching;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Amp;

/// <summary>
/// A run's status as <c>GET /status/{id}</c> answers it to one caller, in the caller's shape (documented or live), ready to
/// write. It owns every cache status reads from, and the rules that keep them from serving a run stale:
/// <list type="bullet">
/// <item>A finished run is kept, with its body serialized once per shape, for at most <see cref="FinishedLifetime"/> (at most
/// <see cref="ExecutionOptions.FinishedRunCacheSize"/> runs). Nothing changes a finished run in the store but its deletion:
/// an event append comes from the node that holds the run's lease (StoreRunSink), and the final event releases it; a stop
/// without a lease touches only a pending or paused run, a resume only a paused one, a claim or lease renewal only a pending
/// or running one. A deletion (<see cref="RunService.DeleteAsync"/>) or a purge (RetentionService) makes every node forget
/// (<see cref="CacheInvalidator"/>: here before the change is answered, elsewhere when the news arrives), and a read that
/// began before the forgetting is not kept after it (<see cref="ExpiringCache{TKey, TValue}.Generation"/>).
/// <see cref="FinishedLifetime"/> bounds what a node that missed the news can serve.</item>
/// <item>A run running on this node is answered from what its sink last stored (<see cref="ExecutingRuns"/>), in the
/// documented shape, which shows no task output for it. While it runs, only its sink changes what status shows (appends
/// fenced by its lease); a paused run has given its lease up, and a resume or a stop changes it in the store alone, so
/// every other state is read from the store.</item>
/// <item>Everything else is read from the store, on every read.</item>
/// </list>
/// Whatever the source, <see cref="RunAccess"/> is applied to the run on every read.
/// </summary>
internal sealed class RunStatusReader
{
    /// <summary>The longest a finished run is served from memory: the backstop for a deletion a node never heard of.</summary>
    public static readonly TimeSpan FinishedLifetime = TimeSpan.FromSeconds(60);

    private readonly IRunStore _store;
    private readonly ExecutingRuns _executing;
    private readonly TimeProvider _time;
    private readonly bool _liveByDefault;
    private readonly JsonTypeInfo<StatusResponse> _documentedJson;
    private readonly JsonTypeInfo<LegacyStatusResponse> _liveJson;
    private readonly ExpiringCache<Guid, FinishedRun> _finished;

    public RunStatusReader(IRunStore store, ExecutingRuns executing, IOptions<MusterOptions> options, IOptions<JsonOptions> json, TimeProvider time)
    {
        _store = store;
        _executing = executing;
        _time = time;
        _liveByDefault = options.Value.Compat.Legacy;
        // The options TypedResults.Ok and Json write with, so a finished run's bytes are the ones they would write.
        var serializer = json.Value.SerializerOptions;
        _documentedJson = (JsonTypeInfo<StatusResponse>)serializer.GetTypeInfo(typeof(StatusResponse));
        _liveJson = (JsonTypeInfo<LegacyStatusResponse>)serializer.GetTypeInfo(typeof(LegacyStatusResponse));
        _finished = new ExpiringCache<Guid, FinishedRun>(options.Value.Execution.FinishedRunCacheSize, FinishedLifetime, time);
    }

    /// <summary>
    /// The status of <paramref name="runId"/> in <paramref name="principal"/>'s shape; null when the run does not exist, the
    /// principal may not see it, or it is not a run of <paramref name="crew"/> (the crew whose AMP route asks).
    /// </summary>
    public async ValueTask<StatusBody?> ReadAsync(MusterPrincipal principal, Guid runId, string crew, CancellationToken cancellationToken)
    {
        var live = principal.UsesLiveShape(_liveByDefault);
        if (_finished.TryGet(runId, out var finished))
        {
            return RunAccess.Allows(principal, finished.Run, crew) ? finished.Body(live, this) : null;
        }

        if (!live && _executing.TryGetStored(runId, out var stored) && stored.State == RunState.Running)
        {
            return RunAccess.Allows(principal, stored, crew) ? StatusBody.Of(StatusMapper.ToStatus(stored, [], _time.GetUtcNow())) : null;
        }

        var generation = _finished.Generation;
        var run = await _store.GetRunAsync(runId, cancellationToken);
        if (run is null || !RunAccess.Allows(principal, run, crew))
        {
            return null;
        }

        if (!run.State.IsFinished())
        {
            // Of an unfinished run, only the live shape shows a task's output (last_step).
            return live
                ? StatusBody.Of(StatusMapper.ToLegacyStatus(run, await _store.GetTaskResultsAsync(run.Id, cancellationToken)))
                : StatusBody.Of(StatusMapper.ToStatus(run, [], _time.GetUtcNow()));
        }

        // Kept with its task outputs whatever this caller's shape shows, so that a caller of the other shape finds them.
        finished = new FinishedRun(run, await _store.GetTaskResultsAsync(run.Id, cancellationToken));
        _finished.TryAdd(run.Id, finished, generation);
        return finished.Body(live, this);
    }

    /// <summary>Forgets a deleted run.</summary>
    public void Forget(Guid runId) => _finished.Remove(runId);

    /// <summary>Forgets every finished run (after a purge, or when invalidations may have been missed).</summary>
    public void ForgetAll() => _finished.Clear();

    /// <summary>A finished run with its task outputs, and its body in each shape once asked for (two readers may both serialize it: the bytes are the same).</summary>
    private sealed class FinishedRun(RunRecord run, IReadOnlyList<TaskOutput> tasks)
    {
        private StatusBody? _documented;
        private StatusBody? _live;

        public RunRecord Run => run;

        public StatusBody Body(bool live, RunStatusReader reader) => live
            ? _live ??= StatusBody.Of(JsonSerializer.SerializeToUtf8Bytes(StatusMapper.ToLegacyStatus(run, tasks), reader._liveJson))
            : _documented ??= StatusBody.Of(JsonSerializer.SerializeToUtf8Bytes(StatusMapper.ToStatus(run, tasks, reader._time.GetUtcNow()), reader._documentedJson));
    }
}

/// <summary>
/// A status answer ready to write: a finished run's JSON, serialized once and written as it is to every later reader; or an
/// unfinished run's answer in the documented or the live shape. Exactly one is set.
/// </summary>
internal sealed class StatusBody
{
    private StatusBody(byte[]? json, StatusResponse? documented, LegacyStatusResponse? live)
    {
        Json = json;
        Documented = documented;
        Live = live;
    }

    public byte[]? Json { get; }

    public StatusResponse? Documented { get; }

    public LegacyStatusResponse? Live { get; }

    public static StatusBody Of(byte[] json) => new(json, null, null);

    public static StatusBody Of(StatusResponse documented) => new(null, documented, null);

    public static StatusBody Of(LegacyStatusResponse live) => new(null, null, live);
}
