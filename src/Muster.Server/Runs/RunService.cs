using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Outputs;
using Muster.Server.Amp;
using Muster.Server.Caching;
using Muster.Server.CrewRuns;
using Muster.Server.Hosting;
using Muster.Server.Telemetry;
using Muster.Server.Tokens;
using Muster.Server.Webhooks;
using Muster.Storage;
using Muster.Storage.Notifications;

namespace Muster.Server.Runs;

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

    /// <summary>The kickoff's own budget, which may only tighten the crew's.</summary>
    public CrewBudget? Budget { get; init; }
}

/// <summary>
/// Runs as callers see them: kickoff, stop and resume here, the history (a page of runs, a run's task outputs, events,
/// files and webhook deliveries) and deletion in RunService.History.cs. A run a caller names is found once, through
/// <see cref="FindAsync"/>, which applies <see cref="RunAccess"/>: a run the caller may not see does not exist for it, and
/// the other calls take the run it found. A caller's mistake is an outcome, never an exception. The endpoints translate
/// HTTP to these calls; with <see cref="RunStatusReader"/> (status) and the scheduler, this is the code that touches the
/// run store.
/// </summary>
internal sealed partial class RunService(
    IRunStore store,
    IDeliveryStore deliveries,
    IRunEventSignals signals,
    ISchedulerWakeUps wakeUps,
    IRunStopSignals stopSignals,
    IDeliveryPlanner planner,
    RunOutputFiles files,
    TokenAllowances allowances,
    CacheInvalidator caches,
    MusterMetrics metrics,
    IOptions<StorageOptions> storage,
    IOptions<MusterOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// Checks the inputs' size, interpolates the crew (every placeholder needs an input, and no input may make an
    /// <c>output_file</c> leave the run's folder), stores the run, then wakes the schedulers. A repeated idempotency key
    /// answers the first run, unless that run was of another crew or body.
    /// </summary>
    public async Task<KickoffOutcome> KickoffAsync(KickoffCommand command, CancellationToken cancellationToken)
    {
        // What the run records starts with its inputs and meta: when they alone pass the limit, the run could record nothing.
        var limit = options.Value.Limits.MaxRunBytes;
        var size = Encoding.UTF8.GetByteCount(command.Inputs.ToJsonString()) + (command.Meta is { } meta ? Encoding.UTF8.GetByteCount(meta.ToJsonString()) : 0);
        if (size > limit)
        {
            return new KickoffOutcome.TooLarge(size, limit);
        }

        var budget = CrewBudget.Tighten(command.Crew.Budget, command.Budget, out var loosened);
        if (loosened is not null)
        {
            return new KickoffOutcome.BudgetRefused(loosened);
        }

        var crew = budget == command.Crew.Budget ? command.Crew : command.Crew with { Budget = budget };
        try
        {
            OutputFiles.EnsureAllowed(CrewInterpolator.Interpolate(crew, command.Inputs));
        }
        catch (MissingInputsException ex)
        {
            return new KickoffOutcome.MissingInputs(ex.Missing);
        }
        catch (OutputFileRefusedException ex)
        {
            return new KickoffOutcome.OutputFileRefused(ex.Message);
        }

        // Last, so that a caller's mistake is answered as such whatever the token spent. The run's budget is capped at what the
        // token has left, so the engine stops it where the limit is crossed; concurrent runs each get the whole remainder.
        if (await allowances.CheckAsync(command.Principal, cancellationToken) is { } allowance)
        {
            if (allowance.Refusal is { } refusal)
            {
                return refusal;
            }

            crew = crew with { Budget = TokenAllowances.Cap(crew.Budget, allowance.Cap!) };
        }

        var created = await WithinWriteTimeoutAsync(token => store.CreateRunAsync(
            new NewRun
            {
                Id = command.RunId ?? Guid.CreateVersion7(time.GetUtcNow()),
                CrewName = command.CrewName,
                Crew = crew,
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
                TraceParent = RunSpans.CurrentTraceParent(),
            },
            token), cancellationToken);

        if (created.Outcome == CreateRunOutcome.KeyReused)
        {
            return new KickoffOutcome.KeyReused();
        }

        if (created.Outcome == CreateRunOutcome.IdTaken)
        {
            return new KickoffOutcome.IdTaken(created.RunId);
        }

        var duplicate = created.Outcome == CreateRunOutcome.Duplicate;
        if (!duplicate)
        {
            await wakeUps.WakeSchedulersAsync(cancellationToken);
        }

        return new KickoffOutcome.Started(created.RunId, duplicate);
    }

    /// <summary>
    /// The run <paramref name="id"/> names, as the caller gave it; null when it is not a run id, the run does not exist,
    /// <paramref name="principal"/> may not see it or, on a crew's AMP routes, it is not a run of <paramref name="crew"/>.
    /// </summary>
    public Task<RunRecord?> FindAsync(MusterPrincipal principal, string id, string? crew, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var runId) ? FindAsync(principal, runId, crew, cancellationToken) : Task.FromResult<RunRecord?>(null);

    /// <inheritdoc cref="FindAsync(MusterPrincipal, string, string?, CancellationToken)"/>
    public async Task<RunRecord?> FindAsync(MusterPrincipal principal, Guid runId, string? crew, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        return run is not null && RunAccess.Allows(principal, run, crew) ? run : null;
    }

    /// <summary>
    /// Stops the run <paramref name="runId"/> if <paramref name="principal"/> may see it (<see cref="StopOutcome.NotFound"/>
    /// otherwise): for callers that name a run by id alone (the console, the agent protocols).
    /// </summary>
    public async Task<StopResult> StopAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken) =>
        await FindAsync(principal, runId, crew: null, cancellationToken) is { } run
            ? await StopAsync(principal, run, cancellationToken)
            : new StopResult(StopOutcome.NotFound, RunState.Pending);

    /// <summary>
    /// Stops <paramref name="run"/> (found by <see cref="FindAsync"/>) on behalf of <paramref name="principal"/>. A pending or
    /// paused run stops at once; an executing one is flagged and its node signalled.
    /// </summary>
    public async Task<StopResult> StopAsync(MusterPrincipal principal, RunRecord run, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var error = StopMessages.StoppedBy(principal.OwnerId, now);
        RunEvent? stopEvent = null;
        var result = await WithinWriteTimeoutAsync(token => store.StopAsync(
            run.Id,
            current => stopEvent = RunEvents.Stopped(current, error, now),
            current => stopEvent is null ? [] : planner.Plan(current, stopEvent),
            token), cancellationToken);

        switch (result.Outcome)
        {
            case StopOutcome.Stopped when stopEvent is not null:
                metrics.RunStopped(run.CrewName);
                await signals.PublishAsync(stopEvent, cancellationToken);
                break;
            case StopOutcome.StopRequested:
                await stopSignals.SignalStopAsync(run.Id, error, cancellationToken);
                break;
        }

        return result;
    }

    /// <summary>
    /// Records a reviewer's answer to <paramref name="run"/> (found by <see cref="FindAsync"/>) and wakes the schedulers so
    /// that it continues. The store checks atomically that the run still awaits review.
    /// </summary>
    /// <summary>Changes the webhook settings of <paramref name="run"/>, found for its owner (A2A push configs); null when it is gone.</summary>
    public Task<WebhookSettings?> UpdateWebhooksAsync(RunRecord run, Func<WebhookSettings, WebhookSettings> change, CancellationToken cancellationToken) =>
        store.UpdateWebhooksAsync(run.Id, change, cancellationToken);

    public async Task<ResumeOutcome> ResumeAsync(RunRecord run, HumanReview review, WebhookSettings? webhooks, CancellationToken cancellationToken)
    {
        var outcome = await WithinWriteTimeoutAsync(token => store.ResumeAsync(run.Id, review, webhooks, token), cancellationToken);
        if (outcome == ResumeOutcome.Resumed)
        {
            await wakeUps.WakeSchedulersAsync(cancellationToken);
        }

        return outcome;
    }

    /// <summary>Reads the runs table once: throws <see cref="StoreUnavailableException"/> when the store cannot serve runs now (readiness).</summary>
    public Task PingStoreAsync(CancellationToken cancellationToken) => store.PingAsync(cancellationToken);

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
