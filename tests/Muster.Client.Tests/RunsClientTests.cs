using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;

namespace Muster.Client.Tests;

public sealed class RunsClientTests : ClientTestBase
{
    [Fact]
    public async Task ListRuns_FollowsTheNextCursorUntilTheLastPage()
    {
        var client = Client();
        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.ListRunsAsync(new RunListQuery { Limit = 2, Cursor = cursor });
            ids.AddRange(page.Runs.Select(r => r.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        pages.ShouldBe(3);
        ids.ShouldBe(["run-0", "run-1", "run-2", "run-3", "run-4"]);
    }

    [Fact]
    public async Task ListRuns_SendsEveryFilterAsAQueryParameter()
    {
        await Client().ListRunsAsync(new RunListQuery
        {
            Status = "completed", CrewType = "research", CorrelationId = "c 1", OwnerId = "ann", Limit = 5,
            CreatedAfter = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        });

        Server.Log.ShouldContain("GET /api/crew-runs?status=completed&crew_type=research&correlation_id=c%201&created_after=2026-01-02T03%3A04%3A05.0000000%2B00%3A00&owner_id=ann&limit=5");
    }

    [Fact]
    public async Task GetRun_AndDelete_WorkAndDeletingARunningRunThrows409()
    {
        var client = Client();

        var run = await client.GetRunAsync("run-7");
        await client.DeleteRunAsync("run-7");
        var ex = await Should.ThrowAsync<MusterApiException>(() => client.DeleteRunAsync(RunsApi.RunningRunId));

        run.CorrelationId.ShouldBe("c-run-7");
        Server.Log.ShouldContain("DELETE /api/crew-runs/run-7");
        ex.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        ex.Message.ShouldContain("stop it first");
    }

    [Fact]
    public async Task RunCrew_SendsTheCorrelationIdHeader()
    {
        var created = await Client().RunCrewAsync(new RunCrewRequest { CrewType = "research" }, correlationId: "corr-42");

        created.CorrelationId.ShouldBe("corr-42");
        created.Status.ShouldBe("pending");
    }

    [Fact]
    public async Task RunCustomCrew_WithInvalidConfig_ThrowsWithTheFieldErrorsInTheMessage()
    {
        var ex = await Should.ThrowAsync<MusterApiException>(() => Client().RunCustomCrewAsync(new RunCustomCrewRequest()));

        ex.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        ex.Message.ShouldContain("crew_config.agents: at least one agent is required");
    }

    [Fact]
    public async Task EventsDeliveriesAndCrews_AreRead()
    {
        var client = Client();

        var events = await client.GetRunEventsAsync("run-1", after: 3);
        var deliveries = await client.GetDeliveriesAsync("run-1");
        var crews = await client.ListCrewsAsync();

        events.Select(e => e.Sequence).ShouldBe([4, 5]);
        deliveries.ShouldHaveSingleItem().Attempts.ShouldHaveSingleItem().StatusCode.ShouldBe(200);
        crews.ShouldHaveSingleItem().Name.ShouldBe("research");
    }

    [Fact]
    public async Task Tokens_CreateListRevoke_AndRevokingAnUnknownTokenThrows404()
    {
        var client = Client();

        var created = await client.CreateTokenAsync(new CreateTokenRequest { Kind = "user", UserId = "ann" });
        var tokens = await client.ListTokensAsync();
        await client.RevokeTokenAsync("tok1");
        var ex = await Should.ThrowAsync<MusterApiException>(() => client.RevokeTokenAsync("nope"));

        created.Token.ShouldBe("mst_secret");
        tokens.ShouldHaveSingleItem().UserId.ShouldBe("ann");
        ex.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AddMusterClient_RegistersATypedClientThatReachesTheServer()
    {
        var services = new ServiceCollection();
        services.AddMusterClient(options =>
        {
            options.BaseUrl = Server.BaseUrl;
            options.Token = FakeAmpServer.Token;
        });
        await using var provider = services.BuildServiceProvider();

        var crews = await provider.GetRequiredService<MusterClient>().ListCrewsAsync();

        crews.ShouldHaveSingleItem();
    }
}
