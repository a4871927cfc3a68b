using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Outputs;
using Muster.Server.Amp;
using Muster.Server.Crews;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Storage;
using Muster.Storage.Notifications;

namespace Muster.Server.Protocols;

/// <summary>A run and the outputs of its finished tasks (empty while it has none).</summary>
internal sealed record RunView(RunRecord Run, IReadOnlyList<TaskOutput> Tasks);

/// <summary>How a protocol's start of a run went: the run's id, or why the inputs do not fit the crew.</summary>
internal sealed record ProtocolStart(Guid? RunId, string? Problem)
{
    /// <summary>The id asked for was taken meanwhile by another request's run (which may be another owner's).</summary>
    public bool IdTaken { get; init; }

    public static ProtocolStart Refused(string problem) => new(null, problem);
}

/// <summary>
/// The one place where MCP, A2A and AG-UI reach the run service: kickoff, status, stop and resume of ordinary durable runs,
/// with the same ownership rules as AMP. A change to <see cref="RunService"/>'s signatures is a change to this file alone.
/// </summary>
internal sealed class ProtocolRuns(RunService runs, CrewCatalog catalog, IRunEventSignals signals, TokenRevocations revocations)
{
    public const string Mcp = "mcp";
    public const string A2a = "a2a";
    public const string AgUi = "ag-ui";

    /// <summary>The crews <paramref name="principal"/>'s token covers, by name.</summary>
    public IReadOnlyList<CrewDefinition> CrewsFor(MusterPrincipal principal) => catalog.CoveredBy(principal);

    /// <summary>The crew named <paramref name="name"/> (the default crew for null), or null when absent or not covered.</summary>
    public CrewDefinition? Crew(MusterPrincipal principal, string? name) => catalog.Find(principal, name);

    /// <summary>
    /// Starts a durable run of <paramref name="crew"/> recorded as started by <paramref name="protocol"/>; inputs that do not
    /// fit the crew come back as a problem, never as an exception.
    /// </summary>
    public async Task<ProtocolStart> StartAsync(
        MusterPrincipal principal, CrewDefinition crew, JsonObject inputs, string protocol, Guid? runId, WebhookSettings? webhooks, CancellationToken cancellationToken)
    {
        var command = new KickoffCommand(
            principal, crew.Name, crew, inputs, Meta: null, webhooks ?? WebhookSettings.None, Guid.NewGuid().ToString("N"), IdempotencyKey: null)
        {
            RunId = runId,
            Protocol = protocol,
        };
        return await runs.KickoffAsync(command, cancellationToken) switch
        {
            KickoffOutcome.Started started => new ProtocolStart(started.RunId, null),
            KickoffOutcome.IdTaken taken => new ProtocolStart(taken.RunId, null) { IdTaken = true },
            KickoffOutcome.MissingInputs missing => ProtocolStart.Refused(
                $"Missing required inputs: {string.Join(", ", missing.Names)}. The crew '{crew.Name}' takes: {string.Join(", ", crew.Inputs)}."),
            KickoffOutcome.OutputFileRefused refused => ProtocolStart.Refused(refused.Message),
            KickoffOutcome.TooLarge tooLarge => ProtocolStart.Refused(tooLarge.Message),
            KickoffOutcome.KeyReused reused => ProtocolStart.Refused(reused.Message),
            KickoffOutcome.TokenLimitReached reached => ProtocolStart.Refused(reached.Message),
            var other => throw new InvalidOperationException($"Unhandled kickoff outcome {other}."),
        };
    }

    /// <summary>The run and its task outputs, or null when absent or not <paramref name="principal"/>'s.</summary>
    public async Task<RunView?> GetAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken)
    {
        var run = await runs.FindAsync(principal, runId, crew: null, cancellationToken);
        return run is null ? null : new RunView(run, run.CompletedTasks == 0 ? [] : await runs.GetTaskResultsAsync(run, cancellationToken));
    }

    /// <summary>Whether a run with this id exists at all, whoever owns it (an AG-UI thread id must not take another's).</summary>
    public Task<bool> ExistsAsync(Guid runId, CancellationToken cancellationToken) => runs.ExistsAsync(runId, cancellationToken);

    public Task<StopResult> StopAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken) =>
        runs.StopAsync(principal, runId, cancellationToken);

    /// <summary>
    /// Answers the review a paused run awaits (whichever task it is); <see cref="ResumeOutcome.NotFound"/> when the run is
    /// absent or not <paramref name="principal"/>'s, <see cref="ResumeOutcome.NotAwaitingHuman"/> when it awaits none.
    /// </summary>
    public async Task<ResumeOutcome> ResumeAsync(MusterPrincipal principal, Guid runId, bool approve, string feedback, CancellationToken cancellationToken)
    {
        var run = await runs.FindAsync(principal, runId, crew: null, cancellationToken);
        if (run is null)
        {
            return ResumeOutcome.NotFound;
        }

        if (run is not { State: RunState.AwaitingHuman, PendingReview: { } pending })
        {
            return ResumeOutcome.NotAwaitingHuman;
        }

        return await runs.ResumeAsync(run, new HumanReview(pending.Name, feedback, approve), webhooks: null, cancellationToken);
    }

    /// <summary>
    /// Changes a run's webhook settings (its A2A push configs) atomically; null when the run is gone. <paramref name="view"/>
    /// comes from <see cref="GetAsync"/>, which checked the run is the caller's.
    /// </summary>
    public Task<WebhookSettings?> UpdateWebhooksAsync(RunView view, Func<WebhookSettings, WebhookSettings> change, CancellationToken cancellationToken) =>
        runs.UpdateWebhooksAsync(view.Run, change, cancellationToken);

    /// <summary>
    /// The run's stored events after <paramref name="afterSequence"/>, live, until its terminal event or a pause for review;
    /// <see cref="TokenRevokedException"/> when <paramref name="principal"/>'s token is revoked meanwhile. Watching is what
    /// holds a protocol's request open, and the request was authenticated once, at its start: without this a revoked token
    /// would go on reading the run for as long as the client stays connected. Only the wait is cut, never a write: Kestrel
    /// aborts the connection when a write is cancelled, and the protocol's last word (its error) would be lost.
    /// </summary>
    public async IAsyncEnumerable<ProtocolEvent> WatchAsync(
        MusterPrincipal principal, Guid runId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var revoked = revocations.WhenRevoked(principal.TokenId);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, revoked);
        await using var events = RunWatcher.WatchAsync(runs, signals, runId, afterSequence, watching.Token).GetAsyncEnumerator(watching.Token);
        while (await UnlessRevokedAsync(events.MoveNextAsync(), revoked, cancellationToken))
        {
            yield return events.Current;
        }
    }

    /// <summary>
    /// A token cancelled when <paramref name="principal"/>'s token is revoked, for a wait other than a watch (an MCP
    /// elicitation); <see cref="UnlessRevokedAsync{T}"/> turns the wait's cancellation into <see cref="TokenRevokedException"/>.
    /// </summary>
    public CancellationToken WhenRevoked(MusterPrincipal principal) => revocations.WhenRevoked(principal.TokenId);

    /// <summary>The outcome of <paramref name="wait"/>, or <see cref="TokenRevokedException"/> when <paramref name="revoked"/> cut it short.</summary>
    public static async Task<T> UnlessRevokedAsync<T>(ValueTask<T> wait, CancellationToken revoked, CancellationToken cancellationToken)
    {
        try
        {
            return await wait;
        }
        catch (OperationCanceledException) when (revoked.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TokenRevokedException();
        }
    }
}
