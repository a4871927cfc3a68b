using System.Text.Json.Nodes;
using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Outputs;
using Muster.Server.Amp;
using Muster.Server.Caching;
using Muster.Server.CrewRuns;
using Muster.Server.Crews;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Storage;
using Muster.Storage.Notifications;

namespace Muster.Server.Console;

/// <summary>
/// Everything the console asks of the rest of the server, in one place: the run service, the token service, the crews, the
/// store's reads and the event bus. The console's pages and live feeds call only this class, so a change to those services'
/// signatures is a change here alone. Ownership is applied as the API applies it: a run the principal may not see is null.
/// </summary>
internal sealed class ConsoleBackend(
    RunService runs,
    TokenService tokens,
    CacheInvalidator caches,
    CrewCatalog catalog,
    IRunEventSignals signals)
{
    /// <summary>The principal of the token whose SHA-256 hash a session holds; null once the token is revoked or unknown.</summary>
    public Task<MusterPrincipal?> AuthenticateHashAsync(string hash, CancellationToken cancellationToken) =>
        tokens.AuthenticateHashAsync(hash, cancellationToken);

    public Task<MusterPrincipal?> AuthenticateAsync(string secret, CancellationToken cancellationToken) =>
        tokens.AuthenticateAsync(secret, cancellationToken);

    /// <summary>A page of runs the principal may see; throws <see cref="ArgumentException"/> for a cursor the store never issued.</summary>
    public Task<RunPage> ListRunsAsync(MusterPrincipal principal, RunQuery query, CancellationToken cancellationToken) =>
        runs.ListAsync(principal, query, cancellationToken);

    /// <summary>The newest runs of every owner, for the one shared watcher of the runs pages (which filters per viewer).</summary>
    public Task<RunPage> ListNewestRunsAsync(int limit, CancellationToken cancellationToken) =>
        runs.ListNewestAsync(limit, cancellationToken);

    public Task<RunRecord?> GetRunAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken) =>
        runs.FindAsync(principal, runId, crew: null, cancellationToken);

    /// <summary>A run whatever its owner: for the shared live feed, which checks access when a page subscribes.</summary>
    public Task<RunRecord?> GetRunUncheckedAsync(Guid runId, CancellationToken cancellationToken) => runs.GetUncheckedAsync(runId, cancellationToken);

    public Task<IReadOnlyList<TaskOutput>> GetTaskResultsAsync(RunRecord run, CancellationToken cancellationToken) =>
        runs.GetTaskResultsAsync(run, cancellationToken);

    public Task<IReadOnlyList<RunEventRecord>> GetEventsAsync(Guid runId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        runs.GetEventsAsync(runId, afterSequence, limit, cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(RunRecord run, CancellationToken cancellationToken) =>
        runs.GetDeliveriesAsync(run, cancellationToken);

    /// <summary>The files the run's tasks wrote (call after an access check).</summary>
    public IReadOnlyList<RunFileRecord> GetFiles(RunRecord run) => runs.GetFiles(run);

    public FileInfo? FindFile(RunRecord run, string path) => runs.FindFile(run, path);

    /// <summary>Signals for one run's committed events (hints: read the store on each).</summary>
    public IAsyncEnumerable<long> SubscribeAsync(Guid runId, CancellationToken cancellationToken) => signals.SubscribeAsync(runId, cancellationToken);

    public Task<StopResult> StopAsync(MusterPrincipal principal, Guid runId, CancellationToken cancellationToken) =>
        runs.StopAsync(principal, runId, cancellationToken);

    /// <summary>A reviewer's answer, with the semantics of <c>POST /resume</c> (the run's webhooks stay as they are).</summary>
    public async Task<ResumeOutcome> ResumeAsync(MusterPrincipal principal, Guid runId, HumanReview review, CancellationToken cancellationToken) =>
        await runs.FindAsync(principal, runId, crew: null, cancellationToken) is { } run
            ? await runs.ResumeAsync(run, review, webhooks: null, cancellationToken)
            : ResumeOutcome.NotFound;

    /// <summary>Starts a run of a deployed crew with no webhooks; the outcome names the problem when the inputs do not do.</summary>
    public async Task<ConsoleKickoff> KickoffAsync(
        MusterPrincipal principal, CrewDefinition crew, JsonObject inputs, CancellationToken cancellationToken) =>
        await runs.KickoffAsync(
            new KickoffCommand(principal, crew.Name, crew, inputs, Meta: null, WebhookSettings.None, Guid.NewGuid().ToString("N"), IdempotencyKey: null),
            cancellationToken) switch
        {
            KickoffOutcome.Started started => new ConsoleKickoff(started.RunId, null),
            KickoffOutcome.MissingInputs missing => new ConsoleKickoff(null, $"Missing inputs: {string.Join(", ", missing.Names)}."),
            KickoffOutcome.OutputFileRefused refused => new ConsoleKickoff(null, refused.Message),
            KickoffOutcome.TooLarge tooLarge => new ConsoleKickoff(null, tooLarge.Message),
            KickoffOutcome.KeyReused reused => new ConsoleKickoff(null, reused.Message),
            KickoffOutcome.TokenLimitReached reached => new ConsoleKickoff(null, reached.Message),
            var other => throw new InvalidOperationException($"Unhandled kickoff outcome {other}."),
        };

    /// <summary>The deployed crews the principal covers, by name.</summary>
    public IReadOnlyList<CrewDefinition> Crews(MusterPrincipal principal) =>
        catalog.CoveredBy(principal);

    public CrewDefinition? FindCrew(MusterPrincipal principal, string name) =>
        catalog.Find(principal, name);

    /// <summary>The folders of crews that failed to load, each with why.</summary>
    public IReadOnlyList<(string Name, string Reason)> CrewFailures() =>
        [.. catalog.FailedCrews.Order(StringComparer.Ordinal).Select(name => (name, catalog.FailureOf(name) ?? string.Empty))];

    public Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken) => tokens.ListAsync(cancellationToken);

    /// <summary>
    /// Creates a token by the API's rules; the secret is returned once, or the problems with the request. A form's own problems
    /// (<paramref name="unreadable"/>: a limit that is not a number) come first and create nothing either.
    /// </summary>
    public async Task<(string? Secret, IReadOnlyList<FieldError> Problems)> CreateTokenAsync(
        CreateTokenRequest request, IReadOnlyList<FieldError> unreadable, CancellationToken cancellationToken)
    {
        var (token, problems) = TokenRules.Check(request);
        if (token is null || unreadable.Count > 0)
        {
            return (null, [.. unreadable, .. problems]);
        }

        var (secret, _) = await tokens.CreateAsync(token, cancellationToken);
        return (secret, []);
    }

    /// <summary>Revokes a token and makes every node forget it at once (its console sessions end with it).</summary>
    public async Task<bool> RevokeTokenAsync(string tokenId, CancellationToken cancellationToken)
    {
        var revoked = await tokens.RevokeAsync(tokenId, cancellationToken);
        await caches.TokenRevokedAsync(tokenId, cancellationToken);
        return revoked;
    }

    public static string StatusName(RunState state) => state == RunState.Stopped ? "stopped" : state == RunState.AwaitingHuman ? "awaiting review" : CrewRunRecordMapper.StatusName(state);

    public static RunState[]? StatesFor(string status) => status == "awaiting_review" ? [RunState.AwaitingHuman] : CrewRunRecordMapper.StatesFor(status);
}

/// <summary>A kickoff's new run, or why there is none.</summary>
internal sealed record ConsoleKickoff(Guid? RunId, string? Problem);
