using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Outputs;
using Muster.Server.Auth;
using Muster.Server.Hosting;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Execution;

/// <summary>A request to start a run. <paramref name="Crew"/> is the crew as loaded (not yet interpolated).</summary>
public sealed record KickoffCommand(
    MusterPrincipal Principal,
    string CrewName,
    CrewDefinition Crew,
    JsonObject Inputs,
    JsonObject? Meta,
    WebhookSettings Webhooks,
    string CorrelationId,
    string? IdempotencyKey,
    bool AdHoc = false)
{
    /// <summary>The run's id when the caller chose it (an AG-UI thread id); a new one otherwise.</summary>
    public Guid? RunId { get; init; }

    /// <summary>The agent protocol that starts the run (<c>mcp</c>, <c>a2a</c>, <c>ag-ui</c>); null for AMP and the history API.</summary>
    public string? Protocol { get; init; }
}

/// <summary>A kickoff's inputs and meta alone take more than a run may record (<c>Muster:Limits:MaxRunBytes</c>).</summary>
public sealed class RunTooLargeException(long size, long limit)
    : Exception($"The inputs and meta take {size:N0} bytes of JSON, more than a run may record ({limit:N0} bytes, Muster:Limits:MaxRunBytes).");

/// <summary>An idempotency key came back within 24 hours with another crew or another body than its first kickoff.</summary>
public sealed class IdempotencyKeyReusedException()
    : Exception("This Idempotency-Key was used in the last 24 hours for a kickoff of another crew or with another body; use a new key for a new kickoff.");

/// <summary>The stored run's id; <paramref name="Duplicate"/> when an idempotency key repeated an earlier kickoff.</summary>
public sealed record KickoffResult(Guid RunId, bool Duplicate);

/// <summary>A run and the outputs of its finished tasks (empty for an unfinished run whose reader had no use for them).</summary>
public sealed record RunView(RunRecord Run, IReadOnlyList<TaskOutput> Tasks);

/// <summary>
/// Kickoff, status, stop and resume, with ownership applied: a principal that may not access a run is told it does not exist.
/// Endpoints translate HTTP to these calls; only this class and the scheduler touch the run store.
/// </summary>
public sealed class RunService(
    IRunStore store,
    IRunEventBus bus,
    IDeliveryPlanner planner,
    FinishedRunCache finishedRuns,
    ExecutingRuns executing,
    IOptions<StorageOptions> storage,
    IOptions<MusterOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// Checks the inputs' size (throws <see cref="RunTooLargeException"/>), interpolates the crew (throws
    /// <see cref="MissingInputsException"/>, or <see cref="OutputFileRefusedException"/> when an input makes an <c>output_file</c>
    /// leave the run's folder), stores the run, then wakes the schedulers. A repeated
    /// idempotency key answers the first run, or throws <see cref="IdempotencyKeyReusedException"/> when that run was of another
    /// crew or body.
    /// </summary>
    public async Task<KickoffResult> KickoffAsync(KickoffCommand command, CancellationToken cancellationToken)
    {
        // What the run records starts with its inputs and meta: when they alone pass the limit, the run could record nothing.
        var limit = options.Value.Limits.MaxRunBytes;
        var size = Encoding.UTF8.GetByteCount(command.Inputs.ToJsonString()) + (command.Meta is { } meta ? Encoding.UTF8.GetByteCount(meta.ToJsonString()) : 0);
        if (size > limit)
        {
            throw new RunTooLargeException(size, limit);
        }

        OutputFiles.EnsureAllowed(CrewInterpolator.Interpolate(command.Crew, command.Inputs));
        var created = await WithinWriteTimeoutAsync(token => store.CreateRunAsync(
            new NewRun
            {
                Id = command.RunId ?? Guid.CreateVersion7(time.GetUtcNow()),
                CrewName = command.CrewName,
                Crew = command.Crew,
                Inputs = command.Inputs,
                Meta = command.Meta,
                OwnerId = command.Principal.OwnerId,
                TokenId = command.Principal.TokenId,
                CorrelationId = command.CorrelationId,
                IdempotencyKey = command.IdempotencyKey,
                Webhooks = command.Webhooks,
                CreatedAt = time.GetUtcNow(),
                AdHoc = command.AdHoc,
                Protocol = command.Protocol,
            },
            token), cancellationToken);

        if (created.Outcome == CreateRunOutcome.KeyReused)
        {
            throw new IdempotencyKeyReusedException();
        }

        var duplicate = created.Outcome == CreateRunOutcome.Duplicate;
        if (!duplicate)
        {
            await bus.WakeSchedulersAsync(cancellationToken);
        }

        return new KickoffResult(created.RunId, duplicate);
    }

    /// <summary>The run, or null when it does not exist or <paramref name="principal"/> may not see it.</summary>
    public async Task<RunRecord?> GetRunAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        return run is not null && principal.CanAccess(run) ? run : null;
    }

    /// <summary>
    /// The run and its task outputs (completion order), which an unfinished run comes with only when
    /// <paramref name="showsTasks"/> says its state needs them; null when it does not exist or <paramref name="principal"/>
    /// may not see it. A finished run is served from <see cref="FinishedRunCache"/> when there, and a run executing on this
    /// node from what its sink last stored (<see cref="ExecutingRuns"/>) when the answer shows no task outputs; ownership is
    /// checked against the run on every read all the same.
    /// </summary>
    public async Task<RunView?> GetViewAsync(
        MusterPrincipal principal, Guid runId, Func<RunState, bool> showsTasks, CancellationToken cancellationToken)
    {
        if (finishedRuns.TryGet(runId, out var cached))
        {
            return principal.CanAccess(cached.Run) ? cached : null;
        }

        // A run executing on this node, as its last write stored it, when the answer shows no task outputs.
        if (executing.TryGetStored(runId, out var stored) && !stored.State.IsFinished() && !showsTasks(stored.State))
        {
            return principal.CanAccess(stored) ? new RunView(stored, []) : null;
        }

        var generation = finishedRuns.Generation;
        var run = await GetRunAsync(principal, runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        // A finished run is read (and cached) with its task outputs whatever this reader shows, so every later reader finds
        // them; it is read once a minute at most, so the read a failed run's status does not need costs next to nothing.
        var finished = run.State.IsFinished();
        var tasks = finished || showsTasks(run.State) ? await store.GetTaskResultsAsync(run.Id, cancellationToken) : [];
        var view = new RunView(run, tasks);
        if (finished)
        {
            finishedRuns.TryAdd(view, generation);
        }

        return view;
    }

    /// <summary>
    /// Stops a run. A pending or paused run stops at once; an executing one is flagged and its node signalled.
    /// <see cref="StopOutcome.NotFound"/> also when <paramref name="principal"/> may not see the run.
    /// </summary>
    public async Task<StopResult> StopAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken)
    {
        var run = await GetRunAsync(principal, runId, cancellationToken);
        if (run is null)
        {
            return new StopResult(StopOutcome.NotFound, RunState.Pending);
        }

        var now = time.GetUtcNow();
        var error = StopMessages.StoppedBy(principal.OwnerId, now);
        RunEvent? stopEvent = null;
        var result = await WithinWriteTimeoutAsync(token => store.StopAsync(
            runId,
            current => stopEvent = RunEvents.Stopped(current, error, now),
            current => stopEvent is null ? [] : planner.Plan(current, stopEvent),
            token), cancellationToken);

        switch (result.Outcome)
        {
            case StopOutcome.Stopped when stopEvent is not null:
                await bus.PublishAsync(stopEvent, cancellationToken);
                break;
            case StopOutcome.StopRequested:
                await bus.SignalStopAsync(runId, error, cancellationToken);
                break;
        }

        return result;
    }

    /// <summary>
    /// Records a reviewer's answer to a paused run and wakes the schedulers so that it continues.
    /// <see cref="ResumeOutcome.NotFound"/> also when <paramref name="principal"/> may not see the run.
    /// </summary>
    public async Task<ResumeOutcome> ResumeAsync(
        MusterPrincipal principal, Guid runId, HumanReview review, WebhookSettings? webhooks, CancellationToken cancellationToken)
    {
        if (await GetRunAsync(principal, runId, cancellationToken) is null)
        {
            return ResumeOutcome.NotFound;
        }

        var outcome = await WithinWriteTimeoutAsync(token => store.ResumeAsync(runId, review, webhooks, token), cancellationToken);
        if (outcome == ResumeOutcome.Resumed)
        {
            await bus.WakeSchedulersAsync(cancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// Runs a request's write, waiting for the store at most <see cref="StorageOptions.RequestWriteTimeout"/>. Past that the
    /// write is called off (a write not yet begun never runs) and the caller hears that the store is busy: a 503 with
    /// <c>Retry-After</c>, rather than a request hanging while another process holds the database's lock.
    /// </summary>
    private async Task<T> WithinWriteTimeoutAsync<T>(Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        var limit = storage.Value.RequestWriteTimeout;
        using var deadline = new CancellationTokenSource(limit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await write(linked.Token);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException(
                StoreFailureKind.Busy, $"The run store is busy: it did not take the write within {limit.TotalSeconds:0.#} s (Muster:Storage:RequestWriteTimeout).", ex);
        }
    }
}
