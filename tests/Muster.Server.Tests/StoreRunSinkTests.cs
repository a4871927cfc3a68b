using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Server.Runs;
using Muster.Server.Webhooks;
using Muster.Storage;
using Muster.Storage.Notifications;
using Muster.Storage.Sqlite;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// The sink that records an execution's events: progress events wait up to the flush delay and go into the store with
/// the events after them; a task's result, a pause and the run's end are stored before the engine goes on.
/// </summary>
public sealed class StoreRunSinkTests : IAsyncLifetime
{
    private static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(20);

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingSignals _signals = new();
    private SqliteRunStore _store = null!;
    private RunRecord _run = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteRunStore($"Data Source={_folder.Combine("muster.db")}", TimeProvider.System);
        await _store.InitializeAsync(CancellationToken.None);
        var id = Guid.CreateVersion7();
        await _store.CreateRunAsync(
            new NewRun
            {
                Id = id,
                CrewName = "trio",
                Crew = new CrewDefinition
                {
                    Name = "trio",
                    Agents = [new AgentDefinition { Key = "writer", Role = "Writer", Goal = "Write", Backstory = "Writes." }],
                    Tasks = [new TaskDefinition { Name = "task_1", Description = "Write", ExpectedOutput = "Text", Agent = "writer" }],
                    Inputs = [],
                },
                Inputs = [],
                OwnerId = "org:tok_test",
                TokenId = "tok_test",
                CorrelationId = "test",
                Webhooks = new WebhookSettings(),
                CreatedAt = _time.GetUtcNow(),
            },
            CancellationToken.None);
        _run = (await _store.TryClaimRunAsync("node-a", _time.GetUtcNow(), TimeSpan.FromMinutes(5), CancellationToken.None))!;
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ProgressEvents_AreHeldUntilTheFlushDelay_ThenStoredAndAnnouncedInOrder()
    {
        using var sink = Sink(FlushDelay);

        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);
        await sink.PublishAsync(Event(2, RunEventTypes.TaskStarted), CancellationToken.None);

        (await StoredSequencesAsync()).ShouldBeEmpty();
        _signals.Published.ShouldBeEmpty();

        _time.Advance(FlushDelay);

        await WaitUntilAsync(async () => (await StoredSequencesAsync()).Count == 2);
        (await StoredSequencesAsync()).ShouldBe([1L, 2L]);
        await WaitUntilAsync(() => Task.FromResult(_signals.Published.Count == 2));
        _signals.Published.ShouldBe([1L, 2L]);
        (await _store.GetRunAsync(_run.Id, CancellationToken.None))!.CurrentTask.ShouldBe("task_1");
    }

    [Fact]
    public async Task ATaskResult_IsStoredWithEverythingHeldBeforeItBeforePublishReturns()
    {
        using var sink = Sink(FlushDelay);

        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);
        await sink.PublishAsync(Event(2, RunEventTypes.TaskStarted), CancellationToken.None);
        await sink.PublishAsync(Event(3, RunEventTypes.LlmCallStarted), CancellationToken.None);
        await sink.PublishAsync(Event(4, RunEventTypes.TaskCompleted, Output()), CancellationToken.None);

        (await StoredSequencesAsync()).ShouldBe([1L, 2L, 3L, 4L]);
        _signals.Published.ShouldBe([1L, 2L, 3L, 4L]);
        var run = (await _store.GetRunAsync(_run.Id, CancellationToken.None))!;
        run.LastSequence.ShouldBe(4);
        run.CompletedTasks.ShouldBe(1);
        (await _store.GetTaskResultsAsync(_run.Id, CancellationToken.None)).Select(t => t.Raw).ShouldBe(["The answer."]);
    }

    [Fact]
    public async Task WithoutAFlushDelay_EveryEventIsStoredBeforePublishReturns()
    {
        using var sink = Sink(TimeSpan.Zero);

        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);
        (await StoredSequencesAsync()).ShouldBe([1L]);

        await sink.PublishAsync(Event(2, RunEventTypes.TaskStarted), CancellationToken.None);
        (await StoredSequencesAsync()).ShouldBe([1L, 2L]);
    }

    [Fact]
    public async Task ManyHeldEvents_AreStoredWithoutWaitingForTheDelay()
    {
        using var sink = Sink(TimeSpan.FromMinutes(1));

        for (var sequence = 1; sequence <= StoreRunSink.MaxHeld; sequence++)
        {
            await sink.PublishAsync(Event(sequence, RunEventTypes.AgentStep), CancellationToken.None);
        }

        (await StoredSequencesAsync()).Count.ShouldBe(StoreRunSink.MaxHeld);
    }

    [Fact]
    public async Task ABackgroundFlushThatLostTheLease_FailsTheNextPublish_AndStoresNothingOfTheRun()
    {
        using var sink = Sink(FlushDelay);
        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);
        // Another node takes the run over once this node's lease has lapsed.
        (await _store.TryClaimRunAsync("node-b", _time.GetUtcNow().AddMinutes(10), TimeSpan.FromMinutes(5), CancellationToken.None))!.Id.ShouldBe(_run.Id);

        _time.Advance(FlushDelay);

        var next = 2;
        await WaitUntilAsync(async () =>
        {
            try
            {
                await sink.PublishAsync(Event(next++, RunEventTypes.AgentStep), CancellationToken.None);
                return false;
            }
            catch (LeaseLostException)
            {
                return true;
            }
        });
        (await StoredSequencesAsync()).ShouldBeEmpty();
        await Should.ThrowAsync<LeaseLostException>(() => sink.FlushAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AFlush_AfterAFailedOne_StoresTheEventsThatFailed()
    {
        using var sink = Sink(TimeSpan.FromMinutes(1));
        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);
        await sink.PublishAsync(Event(2, RunEventTypes.TaskStarted), CancellationToken.None);
        var now = _time.GetUtcNow();
        (await _store.TryClaimRunAsync("node-b", now.AddMinutes(10), TimeSpan.FromMinutes(5), CancellationToken.None)).ShouldNotBeNull();

        await Should.ThrowAsync<LeaseLostException>(() => sink.FlushAsync(CancellationToken.None));
        (await StoredSequencesAsync()).ShouldBeEmpty();
        _signals.Published.ShouldBeEmpty();

        // node-b's lease lapses and node-a holds the run again: the events held through the failure are stored now.
        (await _store.TryClaimRunAsync("node-a", now.AddMinutes(20), TimeSpan.FromMinutes(5), CancellationToken.None)).ShouldNotBeNull();
        await sink.FlushAsync(CancellationToken.None);

        (await StoredSequencesAsync()).ShouldBe([1L, 2L]);
        _signals.Published.ShouldBe([1L, 2L]);
    }

    [Fact]
    public async Task ATaskResult_WhoseWriteMeetsAStoreOutage_IsRetriedUntilStored_AndPublishWaitsForIt()
    {
        var store = FlakyAppends.Create(_store, attempt => attempt <= 3 ? FlakyAppends.Outcome.FailBefore : FlakyAppends.Outcome.Pass);
        using var sink = Sink(FlushDelay, store, TimeProvider.System);

        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);
        await sink.PublishAsync(Event(2, RunEventTypes.TaskCompleted, Output()), CancellationToken.None);

        FlakyAppends.Of(store).Attempts.ShouldBe(4);
        (await StoredSequencesAsync()).ShouldBe([1L, 2L]);
        _signals.Published.ShouldBe([1L, 2L]);
        (await _store.GetTaskResultsAsync(_run.Id, CancellationToken.None)).Select(t => t.Raw).ShouldBe(["The answer."]);
    }

    [Fact]
    public async Task AWriteThatCommittedButReportedAFailure_IsFoundStored_AndNotWrittenAgain()
    {
        var store = FlakyAppends.Create(_store, attempt => attempt == 1 ? FlakyAppends.Outcome.FailAfter : FlakyAppends.Outcome.Pass);
        using var sink = Sink(TimeSpan.Zero, store, TimeProvider.System);

        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);
        await sink.PublishAsync(Event(2, RunEventTypes.TaskStarted), CancellationToken.None);

        FlakyAppends.Of(store).Attempts.ShouldBe(2, "the first event's write was found stored, so only the second was written");
        (await StoredSequencesAsync()).ShouldBe([1L, 2L]);
        _signals.Published.ShouldBe([1L, 2L]);
    }

    [Fact]
    public async Task ABackgroundFlushThatMeetsAStoreOutage_KeepsItsEvents_AndTheNextPublishGoesOn()
    {
        var store = FlakyAppends.Create(_store, attempt => attempt == 1 ? FlakyAppends.Outcome.FailBefore : FlakyAppends.Outcome.Pass);
        using var sink = Sink(FlushDelay, store);
        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);

        _time.Advance(FlushDelay);
        await Eventually.Until(() => FlakyAppends.Of(store).Attempts == 1, "the background flush never ran");

        await sink.PublishAsync(Event(2, RunEventTypes.TaskCompleted, Output()), CancellationToken.None);
        (await StoredSequencesAsync()).ShouldBe([1L, 2L]);
    }

    [Fact]
    public async Task ARetriedWrite_EndsWhenTheRunIsCancelled_AndKeepsItsEventsHeld()
    {
        var store = FlakyAppends.Create(_store, attempt => attempt <= 2 ? FlakyAppends.Outcome.FailBefore : FlakyAppends.Outcome.Pass);
        using var sink = Sink(TimeSpan.Zero, store, _time);
        using var run = new CancellationTokenSource();

        var publish = sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), run.Token).AsTask();
        await Eventually.Until(() => FlakyAppends.Of(store).Attempts == 1, "the write was never tried");
        await run.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => publish);
        (await StoredSequencesAsync()).ShouldBeEmpty();
        await sink.FlushAsync(new CancellationToken(canceled: true)).ShouldThrowAsync<StoreUnavailableException>();
        await sink.FlushAsync(CancellationToken.None);
        (await StoredSequencesAsync()).ShouldBe([1L]);
    }

    [Fact]
    public async Task HeldEvents_KeepOnlyTheRunAsTheLastOneLeftIt()
    {
        // Under load a run's events wait for the writer; a copy of the run kept per held event was young state that every
        // collection promoted. The state between two held events is garbage at once.
        using var sink = Sink(FlushDelay);
        await sink.PublishAsync(Event(1, RunEventTypes.CrewKickoffStarted), CancellationToken.None);
        var between = WeakRunOf(sink);
        await sink.PublishAsync(Event(2, RunEventTypes.TaskStarted), CancellationToken.None);

        GC.Collect();
        GC.WaitForPendingFinalizers();

        between.IsAlive.ShouldBeFalse("the run as the first held event left it");
        _time.Advance(FlushDelay);
        await Eventually.Until(() => sink.Stored is not null, "the held events were never stored");
        sink.Stored.ShouldBeSameAs(sink.Run);
        sink.Stored!.CurrentTask.ShouldBe("task_1");
        (await StoredSequencesAsync()).ShouldBe([1L, 2L]);
    }

    // Not inlined, so that no local of the test keeps the run alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference WeakRunOf(StoreRunSink sink) => new(sink.Run);

    private StoreRunSink Sink(TimeSpan flushDelay, IRunStore? store = null, TimeProvider? time = null) =>
        new(store ?? _store, new NoDeliveries(), _signals, "node-a", _run, time ?? _time, flushDelay, NullLogger.Instance);

    private RunEvent Event(long sequence, string type, TaskOutput? output = null) => new()
    {
        RunId = _run.Id,
        Sequence = sequence,
        Timestamp = _time.GetUtcNow(),
        Data = type switch
        {
            RunEventTypes.CrewKickoffStarted => new CrewKickoffStarted("trio", [], 1),
            RunEventTypes.TaskStarted => new TaskStarted { TaskName = "task_1", Agent = "Writer", Description = "Write" },
            RunEventTypes.LlmCallStarted => new LlmCallStarted("task_1", "Writer", "sim/test-model"),
            RunEventTypes.AgentStep => new AgentStep("task_1", "Writer", "Write", "Thinking", "", "", "Text"),
            RunEventTypes.TaskCompleted => new TaskCompleted(output ?? Output()),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No sample data for this event type."),
        },
    };

    private static TaskOutput Output() => new()
    {
        Name = "task_1",
        Description = "Write",
        ExpectedOutput = "Text",
        Summary = "Write...",
        Raw = "The answer.",
        Agent = "Writer",
    };

    private async Task<List<long>> StoredSequencesAsync() =>
        [.. (await _store.GetEventsAsync(_run.Id, 0, 1000, CancellationToken.None)).Select(e => e.Sequence)];

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => Eventually.Until(condition, "the condition never held");

    /// <summary>
    /// The real store, whose event appends fail as a store outage would, by attempt: before anything is written, or after the
    /// write committed (the connection dropped while the answer was on its way).
    /// </summary>
    public class FlakyAppends : DispatchProxy
    {
        private IRunStore _inner = null!;
        private Func<int, Outcome> _outcome = null!;
        private int _attempts;

        public enum Outcome { Pass, FailBefore, FailAfter }

        public int Attempts => Volatile.Read(ref _attempts);

        public static IRunStore Create(IRunStore inner, Func<int, Outcome> outcome)
        {
            var proxy = DispatchProxy.Create<IRunStore, FlakyAppends>();
            var flaky = (FlakyAppends)(object)proxy;
            flaky._inner = inner;
            flaky._outcome = outcome;
            return proxy;
        }

        public static FlakyAppends Of(IRunStore store) => (FlakyAppends)(object)store;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var forward = () => targetMethod!.Invoke(_inner, args);
            return targetMethod!.Name == nameof(IRunStore.AppendEventsAsync) ? AppendAsync(forward) : forward();
        }

        private async Task AppendAsync(Func<object?> forward)
        {
            var outcome = _outcome(Interlocked.Increment(ref _attempts));
            if (outcome == Outcome.FailBefore)
            {
                throw Outage();
            }

            await (Task)forward()!;
            if (outcome == Outcome.FailAfter)
            {
                throw Outage();
            }
        }

        private static StoreUnavailableException Outage() =>
            new(StoreFailureKind.Unavailable, StoreFailures.Describe(StoreFailureKind.Unavailable), new TimeoutException("simulated outage"));
    }

    private sealed class NoDeliveries : IDeliveryPlanner
    {
        public IReadOnlyList<NewDelivery> Plan(RunRecord run, RunEvent runEvent) => [];
    }

    /// <summary>Records the sequences announced, in order.</summary>
    private sealed class RecordingSignals : IRunEventSignals
    {
        private readonly ConcurrentQueue<long> _published = new();

        public IReadOnlyList<long> Published => [.. _published];

        public ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
        {
            _published.Enqueue(runEvent.Sequence);
            return ValueTask.CompletedTask;
        }

        public IAsyncEnumerable<long> SubscribeAsync(Guid runId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
