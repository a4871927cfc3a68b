using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Muster.Core.Engine;
using Muster.Server.Amp;
using Muster.Server.Caching;
using Muster.Server.CrewRuns;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Storage;
using Muster.Storage.Notifications;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>An in-memory store with the members the event stream and retention use (through the run service); the rest are not needed by these tests.</summary>
internal sealed class FakeRunStore : IRunStore
{
    private readonly ConcurrentDictionary<Guid, List<RunEventRecord>> _events = new();

    public ConcurrentQueue<DateTimeOffset> PurgeCutoffs { get; } = new();

    public Func<DateTimeOffset, int> OnPurge { get; set; } = _ => 0;

    public void Append(Guid runId, params string[] types)
    {
        var events = _events.GetOrAdd(runId, _ => []);
        lock (events)
        {
            foreach (var type in types)
            {
                events.Add(new RunEventRecord(runId, events.Count + 1, type, DateTimeOffset.UtcNow, "{}"));
            }
        }
    }

    public Task<IReadOnlyList<RunEventRecord>> GetEventsAsync(Guid runId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        var events = _events.GetOrAdd(runId, _ => []);
        lock (events)
        {
            return Task.FromResult<IReadOnlyList<RunEventRecord>>([.. events.Where(e => e.Sequence > afterSequence).Take(limit)]);
        }
    }

    public Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken) =>
        Task.FromResult(_events.ContainsKey(runId) ? RunOf(runId) : null);

    /// <summary>The run whose events the store holds, as a caller's lookup finds it.</summary>
    public static RunRecord RunOf(Guid runId) => new()
    {
        Id = runId, CrewName = "c", Crew = new() { Name = "c", Agents = [], Tasks = [], Inputs = [] }, Inputs = [],
        OwnerId = "o", TokenId = "t", CorrelationId = "x", State = RunState.Running, CreatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The run service over <paramref name="store"/> and <paramref name="signals"/>, without webhooks, tokens or output files.</summary>
    public static RunService Runs(FakeRunStore store, FakeRunEventSignals signals, ICacheInvalidations? invalidations = null)
    {
        var options = Options.Create(new MusterOptions());
        var caches = new CacheInvalidator(
            new PrincipalCache(new TokenService(new NoTokens(), TimeProvider.System), options, TimeProvider.System),
            new RunStatusReader(store, new ExecutingRuns(), options, Options.Create(new JsonOptions()), TimeProvider.System),
            new TokenRevocations(),
            new TokenService(new NoTokens(), TimeProvider.System),
            invalidations ?? new RecordingCacheInvalidations(),
            NullLogger<CacheInvalidator>.Instance);
        var files = new RunOutputFiles(
            Options.Create(new CrewEngineOptions { OutputRoot = Path.Combine(Path.GetTempPath(), "muster-no-outputs", Guid.NewGuid().ToString("N")) }),
            NullLogger<RunOutputFiles>.Instance);
        return new RunService(store, new NoDeliveries(), signals, new UnusedNotifications(), new UnusedNotifications(), new NoDeliveryPlanner(), files, new TokenAllowances(new NoTokens(), TimeProvider.System), caches, TestMetrics.Create(), Options.Create(new StorageOptions()), options, TimeProvider.System);
    }

    public Task<int> PurgeFinishedRunsAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken)
    {
        PurgeCutoffs.Enqueue(completedBefore);
        return Task.FromResult(OnPurge(completedBefore));
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<bool> PingAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<CreateRunResult> CreateRunAsync(NewRun run, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<UsageGroup>> GetUsageAsync(UsageQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<bool> DeleteRunAsync(Guid runId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<RunRecord?> TryClaimRunAsync(string nodeId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<LeaseRenewal> RenewLeasesAsync(string nodeId, IReadOnlyCollection<Guid> runIds, DateTimeOffset expiresAt, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<int> EndLeasesAsync(DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<TaskOutput>> GetTaskResultsAsync(Guid runId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task AppendEventAsync(RunEvent runEvent, RunUpdate? update, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task AppendEventsAsync(IReadOnlyList<EventAppend> appends, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<ResumeOutcome> ResumeAsync(Guid runId, HumanReview review, WebhookSettings? webhooks, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<StopResult> StopAsync(Guid runId, Func<RunRecord, RunEvent> stopEvent, Func<RunRecord, IReadOnlyList<NewDelivery>> deliveries, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<WebhookSettings?> GetWebhooksAsync(Guid runId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<WebhookSettings?> UpdateWebhooksAsync(Guid runId, Func<WebhookSettings, WebhookSettings> change, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}

/// <summary>No webhooks: the run service's callers here never read deliveries.</summary>
internal sealed class NoDeliveries : IDeliveryStore
{
    public Task<IReadOnlyList<IReadOnlyList<DeliveryRecord>>> ClaimDueDeliveriesAsync(DeliveryClaim claim, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task RecordAttemptAsync(Guid deliveryId, DeliveryAttempt attempt, DeliveryState state, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(Guid runId, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>No tokens: the run service's callers here never authenticate anyone.</summary>
internal sealed class NoTokens : ITokenStore
{
    public Task CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<TokenRecord?> FindTokenByHashAsync(string hash, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<bool> RevokeTokenAsync(string tokenId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<bool> ReplaceTokenIdAsync(string oldId, string newId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<TokenSpend> GetTokenSpendAsync(string tokenId, DateTimeOffset dayStart, DateTimeOffset monthStart, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Event signals the test sends by hand (or withholds, to show they are only hints).</summary>
internal sealed class FakeRunEventSignals : IRunEventSignals
{
    private readonly ConcurrentDictionary<Guid, System.Threading.Channels.Channel<long>> _channels = new();

    public TaskCompletionSource Subscribed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken) =>
        Channel(runEvent.RunId).Writer.WriteAsync(runEvent.Sequence, cancellationToken);

    public async IAsyncEnumerable<long> SubscribeAsync(Guid runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Subscribed.TrySetResult();
        await foreach (var sequence in Channel(runId).Reader.ReadAllAsync(cancellationToken))
        {
            yield return sequence;
        }
    }

    private System.Threading.Channels.Channel<long> Channel(Guid runId) =>
        _channels.GetOrAdd(runId, _ => System.Threading.Channels.Channel.CreateUnbounded<long>());
}

/// <summary>Records what was announced to the nodes' caches.</summary>
internal sealed class RecordingCacheInvalidations : ICacheInvalidations
{
    /// <summary>What was announced to the nodes' caches, in order.</summary>
    public ConcurrentQueue<CacheInvalidation> Invalidations { get; } = new();

    public ValueTask InvalidateAsync(CacheInvalidation invalidation, CancellationToken cancellationToken)
    {
        Invalidations.Enqueue(invalidation);
        return ValueTask.CompletedTask;
    }

    public IAsyncEnumerable<CacheInvalidation> ReadInvalidationsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Wake-ups and stop signals for a test whose code path sends neither: any use fails the test.</summary>
internal sealed class UnusedNotifications : ISchedulerWakeUps, IRunStopSignals
{
    public ValueTask WakeSchedulersAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public ValueTask WaitForWakeUpAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public ValueTask SignalStopAsync(Guid runId, string? reason, CancellationToken cancellationToken) => throw new NotSupportedException();
    public IAsyncEnumerable<RunStopSignal> ReadStopSignalsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}
