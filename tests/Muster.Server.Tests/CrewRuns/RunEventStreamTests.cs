using Muster.Testing;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Engine;
using Muster.Server.CrewRuns;

namespace Muster.Server.Tests.CrewRuns;

public sealed class RunEventStreamTests : IDisposable
{
    private static readonly TimeSpan Patience = Eventually.DefaultLimit;
    private readonly FakeRunStore _store = new();
    private readonly FakeRunEventSignals _signals = new();
    private readonly FakeLifetime _lifetime = new();

    private RunEventStream Stream(TimeSpan heartbeat, int pageSize = 500) => new(
        FakeRunStore.Runs(_store, _signals), _signals, Options.Create(new EventStreamOptions { HeartbeatInterval = heartbeat, PageSize = pageSize }),
        TimeProvider.System, _lifetime, NullLogger<RunEventStream>.Instance);

    private static DefaultHttpContext Context() => new() { Response = { Body = new MemoryStream() } };

    private static string Output(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    private static List<(long Id, string Type, JsonObject Data)> Frames(string output) =>
        [.. output.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(frame => !frame.StartsWith(':'))
            .Select(frame => frame.Split('\n'))
            .Select(lines => (
                long.Parse(lines[0]["id: ".Length..]),
                lines[1]["event: ".Length..],
                JsonNode.Parse(lines[2]["data: ".Length..])!.AsObject()))];

    [Fact]
    public async Task Stream_OfFinishedRun_SendsEveryEventThenEnds()
    {
        var runId = Guid.NewGuid();
        _store.Append(runId, RunEventTypes.CrewKickoffStarted, RunEventTypes.TaskStarted, RunEventTypes.CrewKickoffCompleted);
        var context = Context();

        await Stream(TimeSpan.FromMinutes(1), pageSize: 2).StreamAsync(context.Response, FakeRunStore.RunOf(runId), 0, CancellationToken.None).WaitAsync(Patience);

        context.Response.ContentType.ShouldBe("text/event-stream");
        var frames = Frames(Output(context));
        frames.Select(f => f.Id).ShouldBe([1L, 2L, 3L]);
        frames.Select(f => f.Type).ShouldBe([RunEventTypes.CrewKickoffStarted, RunEventTypes.TaskStarted, RunEventTypes.CrewKickoffCompleted]);
        frames[2].Data["sequence"]!.GetValue<long>().ShouldBe(3);
        frames[2].Data["execution_id"]!.GetValue<string>().ShouldBe(runId.ToString());
    }

    [Fact]
    public async Task Stream_AfterSequence_SendsOnlyLaterEvents()
    {
        var runId = Guid.NewGuid();
        _store.Append(runId, RunEventTypes.CrewKickoffStarted, RunEventTypes.TaskStarted, RunEventTypes.CrewKickoffFailed);
        var context = Context();

        await Stream(TimeSpan.FromMinutes(1)).StreamAsync(context.Response, FakeRunStore.RunOf(runId), 1, CancellationToken.None).WaitAsync(Patience);

        Frames(Output(context)).Select(f => f.Id).ShouldBe([2L, 3L]);
    }

    [Fact]
    public async Task Stream_OfLiveRun_SendsEventsAnnouncedOnTheBus()
    {
        var runId = Guid.NewGuid();
        _store.Append(runId, RunEventTypes.CrewKickoffStarted);
        var context = Context();

        var streaming = Stream(TimeSpan.FromMinutes(1)).StreamAsync(context.Response, FakeRunStore.RunOf(runId), 0, CancellationToken.None);
        await _signals.Subscribed.Task.WaitAsync(Patience);
        _store.Append(runId, RunEventTypes.TaskStarted, RunEventTypes.CrewKickoffCompleted);
        await _signals.PublishAsync(new RunEvent { RunId = runId, Sequence = 3, Timestamp = DateTimeOffset.UtcNow, Data = new CrewKickoffCompleted("done", null, TokenUsage.Zero, 1) }, CancellationToken.None);
        await streaming.WaitAsync(Patience);

        Frames(Output(context)).Select(f => f.Id).ShouldBe([1L, 2L, 3L]);
    }

    [Fact]
    public async Task Stream_WhenNotificationIsLost_FindsEventsOnTheNextHeartbeat()
    {
        var runId = Guid.NewGuid();
        _store.Append(runId, RunEventTypes.CrewKickoffStarted);
        var context = Context();

        var streaming = Stream(TimeSpan.FromMilliseconds(50)).StreamAsync(context.Response, FakeRunStore.RunOf(runId), 0, CancellationToken.None);
        await _signals.Subscribed.Task.WaitAsync(Patience);
        _store.Append(runId, RunEventTypes.CrewKickoffCompleted);
        await streaming.WaitAsync(Patience);

        var output = Output(context);
        output.ShouldContain(": heartbeat\n\n");
        Frames(output).Select(f => f.Id).ShouldBe([1L, 2L]);
    }

    [Fact]
    public async Task Stream_WhenServerStops_EndsWithoutError()
    {
        var runId = Guid.NewGuid();
        _store.Append(runId, RunEventTypes.CrewKickoffStarted);
        var context = Context();

        var streaming = Stream(TimeSpan.FromMinutes(1)).StreamAsync(context.Response, FakeRunStore.RunOf(runId), 0, CancellationToken.None);
        await _signals.Subscribed.Task.WaitAsync(Patience);
        await _lifetime.Stopping.CancelAsync();
        await streaming.WaitAsync(Patience);

        Frames(Output(context)).Select(f => f.Id).ShouldBe([1L]);
    }

    [Fact]
    public async Task Stream_WhenClientLeaves_Stops()
    {
        var runId = Guid.NewGuid();
        _store.Append(runId, RunEventTypes.CrewKickoffStarted);
        using var leave = new CancellationTokenSource();

        var streaming = Stream(TimeSpan.FromMinutes(1)).StreamAsync(Context().Response, FakeRunStore.RunOf(runId), 0, leave.Token);
        await _signals.Subscribed.Task.WaitAsync(Patience);
        await leave.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(streaming.WaitAsync(Patience));
    }

    public void Dispose() => _lifetime.Dispose();

    private sealed class FakeLifetime : IHostApplicationLifetime, IDisposable
    {
        public CancellationTokenSource Stopping { get; } = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => Stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stopping.Cancel();

        public void Dispose() => Stopping.Dispose();
    }
}
