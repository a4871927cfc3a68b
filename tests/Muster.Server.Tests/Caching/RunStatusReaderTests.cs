using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Server.Amp;
using Muster.Server.Caching;
using Muster.Server.CrewRuns;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Storage;
using Muster.Storage.Notifications;
using Muster.Storage.Sql;
using Muster.Testing;

namespace Muster.Server.Tests.Caching;

/// <summary>
/// The invariants of <see cref="RunStatusReader"/>, through the reader, the run service and the retention purge the server
/// composes (Program.BuildAsync, not started: no scheduler competes for the runs), on a real SQLite file: a deleted,
/// purged, resumed or stopped run is never served stale, whichever cache held it, and whoever may not see a run is
/// answered nothing from every source the reader has.
/// </summary>
public sealed class RunStatusReaderTests : IAsyncLifetime
{
    private const string Crew = "research";
    private const string Node = "node-a";

    private static readonly MusterPrincipal Alice = new("tok_alice", TokenKind.User, "alice", []);
    private static readonly MusterPrincipal AliceLive = Alice with { StatusShape = StatusShape.Live };
    private static readonly MusterPrincipal Bob = new("tok_bob", TokenKind.User, "bob", []);
    private static readonly MusterPrincipal OtherCrewsOrg = new("tok_haiku", TokenKind.Organization, null, ["haiku"]);
    private static readonly MusterPrincipal Org = new("tok_org", TokenKind.Organization, null, []);

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly List<StoreRunSink> _sinks = [];
    private WebApplication _app = null!;
    private IRunStore _store = null!;
    private GatedStore _gate = null!;
    private RunStatusReader _reader = null!;
    private RunService _runs = null!;
    private ExecutingRuns _executing = null!;

    public enum Source
    {
        /// <summary>A finished run, read for the first time: from the store.</summary>
        FinishedInTheStore,
        /// <summary>A finished run its owner has read: from memory.</summary>
        FinishedInMemory,
        /// <summary>A run running on this node: from what its sink stored.</summary>
        RunningOnThisNode,
        /// <summary>A run waiting for a node: from the store.</summary>
        PendingInTheStore,
    }

    public enum Stranger
    {
        /// <summary>Another user's token.</summary>
        AnotherUser,
        /// <summary>An organization token limited to crews the run is not of.</summary>
        TokenOfOtherCrews,
        /// <summary>The owner, on the AMP routes of another crew.</summary>
        AnotherCrewsRoute,
    }

    public enum Removal
    {
        Deleted,
        Purged,
    }

    public static TheoryData<Source, Stranger> EverySourceAndStranger()
    {
        var data = new TheoryData<Source, Stranger>();
        foreach (var source in Enum.GetValues<Source>())
        {
            foreach (var stranger in Enum.GetValues<Stranger>())
            {
                data.Add(source, stranger);
            }
        }

        return data;
    }

    public async Task InitializeAsync()
    {
        var crews = _folder.Combine("crews");
        Directory.CreateDirectory(crews);
        TestCrews.WriteTwoTaskCrew(crews, Crew);
        _app = Program.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(TestSettings.For(_folder, "http://127.0.0.1:9/", "mst_test_bootstrap_" + Guid.NewGuid().ToString("N")));
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<TimeProvider>(_time);
            builder.Services.AddSingleton<IRunStore>(sp => GatedStore.Create(sp.GetRequiredService<SqlRunStore>()));
        });
        _store = _app.Services.GetRequiredService<IRunStore>();
        _gate = GatedStore.Of(_store);
        await _store.InitializeAsync(CancellationToken.None);
        _reader = _app.Services.GetRequiredService<RunStatusReader>();
        _runs = _app.Services.GetRequiredService<RunService>();
        _executing = _app.Services.GetRequiredService<ExecutingRuns>();
    }

    public async Task DisposeAsync()
    {
        foreach (var sink in _sinks)
        {
            sink.Dispose();
        }

        await _app.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task AFinishedRun_IsReadFromTheStoreOnce_ThenServedFromMemory_InBothShapes()
    {
        var id = await FinishedRunAsync();

        var documented = await ReadAsync(Alice, id);
        var live = await ReadAsync(AliceLive, id);
        var reads = _gate.RunReads(id);
        (await ReadAsync(Alice, id)).ShouldBeSameAs(documented);
        (await ReadAsync(AliceLive, id)).ShouldBeSameAs(live);

        _gate.RunReads(id).ShouldBe(reads);
        reads.ShouldBe(1);
        documented.Json.ShouldNotBeNull();
        Parse(documented)["state"]!.GetValue<string>().ShouldBe("SUCCESS");
        Parse(documented)["result"]!["tasks"]!.AsArray().Count.ShouldBe(1);
        Parse(live)["result"]!.GetValue<string>().ShouldBe("The report.");
    }

    [Theory]
    [InlineData(Removal.Deleted)]
    [InlineData(Removal.Purged)]
    public async Task ARunRemovedHere_IsNotServedFromMemory_TheMomentTheRemovalReturns(Removal removal)
    {
        var id = await FinishedRunAsync();
        await ReadAsync(Alice, id);
        await ReadAsync(AliceLive, id);

        await RemoveAsync(removal, id);

        (await _reader.ReadAsync(Alice, id, Crew, CancellationToken.None)).ShouldBeNull();
        (await _reader.ReadAsync(AliceLive, id, Crew, CancellationToken.None)).ShouldBeNull();
    }

    [Theory]
    [InlineData(Removal.Deleted)]
    [InlineData(Removal.Purged)]
    public async Task ARead_ThatBeganBeforeARemoval_IsNotKeptAfterIt(Removal removal)
    {
        var id = await FinishedRunAsync();
        var held = _gate.HoldTaskReads();
        var early = _reader.ReadAsync(Alice, id, Crew, CancellationToken.None).AsTask();
        await held.Entered.WaitAsync(Eventually.DefaultLimit);

        await RemoveAsync(removal, id);
        held.Release();
        await early.WaitAsync(Eventually.DefaultLimit);

        (await _reader.ReadAsync(Alice, id, Crew, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task ARunDeletedByAnotherNode_IsForgottenWhenTheNewsArrives()
    {
        var id = await FinishedRunAsync();
        await ReadAsync(Alice, id);
        (await _store.DeleteRunAsync(id, CancellationToken.None)).ShouldBeTrue();
        var invalidator = _app.Services.GetRequiredService<CacheInvalidator>();
        await invalidator.StartAsync(CancellationToken.None);
        try
        {
            // What the deleting node announces; this node hears it through its invalidator.
            await _app.Services.GetRequiredService<ICacheInvalidations>().InvalidateAsync(CacheInvalidation.Run(id), CancellationToken.None);

            await Eventually.Until(
                async () => await _reader.ReadAsync(Alice, id, Crew, CancellationToken.None) is null,
                "the deleted run was still served after the news of its deletion arrived");
        }
        finally
        {
            await invalidator.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ARunDeletedByANodeWhoseNewsNeverArrives_IsServedFromMemoryAtMostForTheLifetime()
    {
        var id = await FinishedRunAsync();
        await ReadAsync(Alice, id);
        (await _store.DeleteRunAsync(id, CancellationToken.None)).ShouldBeTrue();

        _time.Advance(RunStatusReader.FinishedLifetime);

        (await _reader.ReadAsync(Alice, id, Crew, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task ARunRunningOnThisNode_IsServedFromItsSink_WithoutReadingTheStore()
    {
        var id = await CreateRunAsync();
        await RunOnThisNodeAsync(id);
        var reads = _gate.RunReads(id);

        var status = Parse(await ReadAsync(Alice, id));

        _gate.RunReads(id).ShouldBe(reads);
        status["state"]!.GetValue<string>().ShouldBe("RUNNING");
        status["current_task"]!.GetValue<string>().ShouldBe("task_1");
    }

    [Fact]
    public async Task ARunPausedOnThisNode_ThenResumed_IsNotServedAsPaused()
    {
        var id = await CreateRunAsync();
        await PauseOnThisNodeAsync(id);
        Parse(await ReadAsync(Alice, id))["pending_human_input"].ShouldNotBeNull();
        var run = (await _runs.FindAsync(Alice, id, Crew, CancellationToken.None))!;

        (await _runs.ResumeAsync(run, new HumanReview("task_1", "Fine.", Approved: true), webhooks: null, CancellationToken.None)).ShouldBe(ResumeOutcome.Resumed);

        var status = Parse(await ReadAsync(Alice, id));
        status["state"]!.GetValue<string>().ShouldBe("PENDING", status.ToJsonString());
        status["pending_human_input"].ShouldBeNull(status.ToJsonString());
    }

    [Fact]
    public async Task ARunPausedOnThisNode_ThenStopped_IsNotServedAsPaused()
    {
        var id = await CreateRunAsync();
        await PauseOnThisNodeAsync(id);
        Parse(await ReadAsync(Alice, id))["pending_human_input"].ShouldNotBeNull();
        var run = (await _runs.FindAsync(Alice, id, Crew, CancellationToken.None))!;

        (await _runs.StopAsync(Alice, run, CancellationToken.None)).Outcome.ShouldBe(StopOutcome.Stopped);

        var status = Parse(await ReadAsync(Alice, id));
        status["state"]!.GetValue<string>().ShouldBe("FAILED", status.ToJsonString());
        status["error"]!.GetValue<string>().ShouldStartWith("Stopped by alice");
    }

    [Theory]
    [MemberData(nameof(EverySourceAndStranger))]
    public async Task ACallerWhoMayNotSeeTheRun_IsAnsweredNothing_FromEverySource(Source source, Stranger stranger)
    {
        var id = await RunFromAsync(source);
        var reads = _gate.RunReads(id);

        var (principal, crew) = stranger switch
        {
            Stranger.AnotherUser => (Bob, Crew),
            Stranger.TokenOfOtherCrews => (OtherCrewsOrg, Crew),
            _ => (Alice, "haiku"),
        };

        (await _reader.ReadAsync(principal, id, crew, CancellationToken.None)).ShouldBeNull();
        (await ReadAsync(Alice, id)).ShouldNotBeNull("the refusal must not spoil the owner's reads");
        if (source is Source.FinishedInMemory or Source.RunningOnThisNode)
        {
            _gate.RunReads(id).ShouldBe(reads, "the refusal and the owner's read were answered from memory, checked all the same");
        }

        // The live shape of a running run shows a task's output, so it is read from the store: checked there too.
        (await _reader.ReadAsync(principal with { StatusShape = StatusShape.Live }, id, crew, CancellationToken.None)).ShouldBeNull();
    }

    [Theory]
    [InlineData(Source.FinishedInTheStore)]
    [InlineData(Source.RunningOnThisNode)]
    [InlineData(Source.PendingInTheStore)]
    public async Task AnAdHocRun_IsNotServedOnTheRoutesOfTheCrewItIsNamedAfter(Source source)
    {
        var id = await RunFromAsync(source, adHoc: true);

        (await _reader.ReadAsync(Org, id, Crew, CancellationToken.None)).ShouldBeNull();
        (await _reader.ReadAsync(Org, id, Crew, CancellationToken.None)).ShouldBeNull();
        (await _runs.FindAsync(Org, id, crew: null, CancellationToken.None)).ShouldNotBeNull("the history serves it");
    }

    private async Task<StatusBody> ReadAsync(MusterPrincipal principal, Guid id) =>
        await _reader.ReadAsync(principal, id, Crew, CancellationToken.None) ?? throw new ShouldAssertException($"{principal.OwnerId} was answered nothing for run {id}");

    private JsonObject Parse(StatusBody body)
    {
        var options = _app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var json = body.Json is { } bytes ? Encoding.UTF8.GetString(bytes)
            : body.Live is { } live ? JsonSerializer.Serialize(live, options)
            : JsonSerializer.Serialize(body.Documented, options);
        return JsonNode.Parse(json)!.AsObject();
    }

    private async Task RemoveAsync(Removal removal, Guid id)
    {
        if (removal == Removal.Deleted)
        {
            var run = (await _runs.FindAsync(Alice, id, crew: null, CancellationToken.None))!;
            (await _runs.DeleteAsync(run, CancellationToken.None)).ShouldBe(DeleteOutcome.Deleted);
            return;
        }

        // The run finished at the clock's time; a purge of everything finished before now takes it.
        _time.Advance(TimeSpan.FromSeconds(1));
        var retention = _app.Services.GetServices<IHostedService>().OfType<RetentionService>().Single();
        (await retention.PurgeAsync(TimeSpan.Zero, CancellationToken.None)).ShouldBe(1);
    }

    private async Task<Guid> RunFromAsync(Source source, bool adHoc = false)
    {
        var id = await CreateRunAsync(adHoc);
        switch (source)
        {
            case Source.FinishedInTheStore:
                await FinishAsync(id);
                break;
            case Source.FinishedInMemory:
                await FinishAsync(id);
                await ReadAsync(Alice, id);
                break;
            case Source.RunningOnThisNode:
                await RunOnThisNodeAsync(id);
                break;
        }

        return id;
    }

    private async Task<Guid> FinishedRunAsync()
    {
        var id = await CreateRunAsync();
        await FinishAsync(id);
        return id;
    }

    private async Task<Guid> CreateRunAsync(bool adHoc = false)
    {
        var id = Guid.CreateVersion7(_time.GetUtcNow());
        var created = await _store.CreateRunAsync(
            new NewRun
            {
                Id = id,
                CrewName = Crew,
                Crew = new CrewDefinition
                {
                    Name = Crew,
                    Agents = [new AgentDefinition { Key = "writer", Role = "Writer", Goal = "Write", Backstory = "Writes." }],
                    Tasks = [new TaskDefinition { Name = "task_1", Description = "Write", ExpectedOutput = "Text", Agent = "writer", HumanInput = true }],
                    Inputs = [],
                },
                Inputs = [],
                OwnerId = adHoc ? Org.OwnerId : Alice.OwnerId,
                TokenId = adHoc ? Org.TokenId : Alice.TokenId,
                CorrelationId = "reader-test",
                Webhooks = new WebhookSettings(),
                CreatedAt = _time.GetUtcNow(),
                AdHoc = adHoc,
            },
            CancellationToken.None);
        created.RunId.ShouldBe(id);
        return id;
    }

    /// <summary>Claims the run as this node would and starts its sink; <paramref name="executing"/> lists it as executing here.</summary>
    private async Task<StoreRunSink> StartAsync(Guid id, bool executing)
    {
        var run = await _store.TryClaimRunAsync(Node, _time.GetUtcNow(), TimeSpan.FromMinutes(5), CancellationToken.None);
        run.ShouldNotBeNull();
        run.Id.ShouldBe(id);
        var sink = ActivatorUtilities.CreateInstance<StoreRunSink>(_app.Services, Node, run, (TimeProvider)_time, TimeSpan.Zero, (ILogger)NullLogger.Instance);
        _sinks.Add(sink);
        if (executing)
        {
            _executing.Add(sink);
        }

        await PublishAsync(sink, new CrewKickoffStarted(Crew, [], 1));
        await PublishAsync(sink, new TaskStarted { TaskName = "task_1", Agent = "Writer", Description = "Write" });
        return sink;
    }

    private Task RunOnThisNodeAsync(Guid id) => StartAsync(id, executing: true);

    private async Task PauseOnThisNodeAsync(Guid id)
    {
        var sink = await StartAsync(id, executing: true);
        await PublishAsync(sink, new TaskAwaitingHuman(Output()));
        sink.Stored!.State.ShouldBe(RunState.AwaitingHuman, "the sink knows the stored pause, as it does between the pause and the end of its execution");
    }

    private async Task FinishAsync(Guid id)
    {
        var sink = await StartAsync(id, executing: false);
        await PublishAsync(sink, new TaskCompleted(Output()));
        await PublishAsync(sink, new CrewKickoffCompleted("The report.", null, TokenUsage.Zero, 1.5));
    }

    private ValueTask PublishAsync(StoreRunSink sink, RunEventData data) => sink.PublishAsync(
        new RunEvent { RunId = sink.Run.Id, Sequence = sink.NextSequence, Timestamp = _time.GetUtcNow(), Data = data },
        CancellationToken.None);

    private static TaskOutput Output() => new()
    {
        Name = "task_1",
        Description = "Write",
        ExpectedOutput = "Text",
        Summary = "Write...",
        Raw = "The report.",
        Agent = "Writer",
    };
}
