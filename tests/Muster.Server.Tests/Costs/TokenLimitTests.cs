using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Server.Tests.CrewRuns;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Costs;

/// <summary>
/// Per-token limits over real HTTP: set at creation and listed; a kickoff over a daily limit answers 429 with
/// <c>Retry-After</c> (the seconds to the next UTC day) on every kickoff route and stores nothing; a run that crosses the
/// limit is stopped like a budget overrun.
/// </summary>
public sealed class TokenLimitTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    // The server's clock reads noon UTC today when it starts, so that no test here crosses a UTC midnight.
    private readonly NoonTimeProvider _time = new();

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        // openai/simulated at $2 in and $10 out per million tokens: 1,000 prompt and 250 completion tokens cost $0.0045.
        Settings = SimulatedPrices.Settings(),
        Services = services => services.AddSingleton<TimeProvider>(_time),
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ADailyTokenLimit_RefusesTheNextKickoff_With429AndRetryAfter_OnEveryRoute()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var limited = _server.CreateClient(await CreateLimitedAsync(org, new JsonObject { ["max_tokens_per_day"] = 1000 }));
        _server.Simulator.Enqueue(SimulatedReply.Text("One.", 400, 100), SimulatedReply.Text("Two.", 400, 100));
        var first = await limited.KickoffAsync(new JsonObject { ["topic"] = "tides" });
        (await limited.WaitForFinishAsync(first))["status"]!.GetValue<string>().ShouldBe("completed");

        var before = _time.GetUtcNow();
        using var amp = await limited.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "tides" } });
        using var crews = await limited.PostJsonAsync("/api/crews/run", new JsonObject { ["crew_type"] = "research", ["task_input"] = new JsonObject { ["topic"] = "tides" } });
        var after = _time.GetUtcNow();

        var nextDay = new DateTimeOffset(before.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        foreach (var refused in new[] { amp, crews })
        {
            var (code, body) = await refused.ReadJsonAsync();
            code.ShouldBe(HttpStatusCode.TooManyRequests, body.ToJsonString());
            body["message"]!.GetValue<string>().ShouldBe(
                "This token's spending limit is reached: limits.max_tokens_per_day 1,000 tokens, its runs of this UTC day spent 1,000. " +
                $"No run is started until {nextDay:yyyy-MM-dd}T00:00:00Z.");
            var retryAfter = refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
            retryAfter.ShouldBeInRange(Math.Floor((nextDay - after).TotalSeconds), Math.Ceiling((nextDay - before).TotalSeconds));
        }

        (await limited.GetArrayAsync("/api/crew-runs")).Count.ShouldBe(1);
        using var other = _server.CreateClient(await org.CreateTokenAsync("org"));
        _server.Simulator.Enqueue(SimulatedReply.Text("One.", 400, 100), SimulatedReply.Text("Two.", 400, 100));
        (await other.WaitForFinishAsync(await other.KickoffAsync(new JsonObject { ["topic"] = "tides" })))["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task ARunThatCrossesItsTokensDailyCostLimit_IsStoppedWithBudgetExceeded()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var limited = _server.CreateClient(await CreateLimitedAsync(org, new JsonObject { ["max_cost_usd_per_day"] = 0.005 }));
        _server.Simulator.Enqueue(SimulatedReply.Text("One.", 1000, 250), SimulatedReply.Text("Two.", 1000, 250));

        var id = await limited.KickoffAsync(new JsonObject { ["topic"] = "tides" });
        var status = await limited.WaitForFinishAsync(id);

        status["status"]!.GetValue<string>().ShouldBe("error", status.ToJsonString());
        status["error"]!.GetValue<string>().ShouldBe("Budget exceeded: $0.009 of $0.005");
        var events = JsonNode.Parse(await limited.GetStringAsync($"/api/crew-runs/{id}/events"))!.AsArray();
        events.Single(e => e!["type"]!.GetValue<string>() == "crew_budget_exceeded")!["data"]!["budget"]!.GetValue<string>().ShouldBe("max_cost_usd");
        using var next = await limited.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "tides" } });
        next.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task ARunOfALimitedToken_GetsTheTokensRemainderAsItsBudget()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var limited = _server.CreateClient(await CreateLimitedAsync(org, new JsonObject { ["max_tokens_per_day"] = 1500, ["max_tokens_per_month"] = 10_000 }));
        _server.Simulator.Enqueue(SimulatedReply.Text("One.", 400, 100), SimulatedReply.Text("Two.", 400, 100));
        await limited.WaitForFinishAsync(await limited.KickoffAsync(new JsonObject { ["topic"] = "tides" }));
        _server.Simulator.Enqueue(SimulatedReply.Text("One.", 400, 200), SimulatedReply.Text("Two.", 10, 10));

        var status = await limited.WaitForFinishAsync(await limited.KickoffAsync(new JsonObject { ["topic"] = "tides" }));

        // 1,000 spent by the first run leaves 500 of the day's 1,500: the second run's first call (600) crosses it.
        status["error"]!.GetValue<string>().ShouldBe("Budget exceeded: 600 of 500 tokens");
    }

    [Fact]
    public async Task TokenLimits_AreListed_AndOneThatIsNotPositive_Answers422()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        await CreateLimitedAsync(org, new JsonObject { ["max_cost_usd_per_day"] = 2.5, ["max_tokens_per_month"] = 1_000_000 });

        using var zero = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "org", ["limits"] = new JsonObject { ["max_tokens_per_day"] = 0 } });
        var (code, body) = await zero.ReadJsonAsync();
        var listed = await org.GetArrayAsync("/api/tokens");

        listed.Single(t => t!["name"]?.GetValue<string>() == "limited")!["limits"]!.ToJsonString()
            .ShouldBe("""{"max_cost_usd_per_day":2.5,"max_tokens_per_month":1000000}""");
        listed.Single(t => t!["name"]?.GetValue<string>() == "bootstrap")!.AsObject().ContainsKey("limits").ShouldBeFalse();
        code.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        body.ToJsonString().ShouldContain("limits.max_tokens_per_day must be positive");
    }

    private static async Task<string> CreateLimitedAsync(HttpClient org, JsonObject limits)
    {
        using var response = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "user", ["user_id"] = "limited-user", ["name"] = "limited", ["limits"] = limits });
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.Created, json.ToJsonString());
        return json["token"]!.GetValue<string>();
    }

    /// <summary>The system clock moved to read noon UTC of today at its creation; timers and timestamps run as the system's.</summary>
    private sealed class NoonTimeProvider : TimeProvider
    {
        private readonly TimeSpan _shift = DateTime.UtcNow.Date.AddHours(12) - DateTime.UtcNow;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _shift;
    }
}
