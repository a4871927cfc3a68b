using System.Net;
using Muster.Contracts.Runs;

namespace Muster.Client.Tests;

public sealed class EventStreamTests : ClientTestBase
{
    [Fact]
    public async Task StreamRunEvents_AfterADroppedConnection_ReconnectsWithLastEventId_AndLosesNothing()
    {
        var received = new List<RunEventDto>();

        await foreach (var runEvent in Client().StreamRunEventsAsync("run-1"))
        {
            received.Add(runEvent);
        }

        received.Select(e => e.Sequence).ShouldBe([1, 2, 3, 4, 5]);
        received[^1].Type.ShouldBe("crew_kickoff_completed");
        Server.LastEventIds.ShouldBe([null, "3"]);
    }

    [Fact]
    public async Task StreamRunEvents_StartingAfterASequence_SendsItAsLastEventId()
    {
        var received = new List<long>();

        await foreach (var runEvent in Client().StreamRunEventsAsync("run-1", after: 4))
        {
            received.Add(runEvent.Sequence);
        }

        received.ShouldBe([5]);
        Server.LastEventIds.ShouldBe(["4"]);
    }

    [Fact]
    public async Task StreamRunEvents_ForAnUnknownRun_Throws404WithoutRetrying()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(async () =>
        {
            await foreach (var runEvent in Client().StreamRunEventsAsync("unknown"))
            {
                runEvent.ShouldBeNull();
            }
        });

        ex.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Server.Log.Count(line => line.Contains("/unknown/", StringComparison.Ordinal)).ShouldBe(1);
    }
}
