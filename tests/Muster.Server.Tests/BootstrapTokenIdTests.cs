using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Server.Tokens;
using Muster.Storage.Sqlite;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// A store from before token ids were random: its bootstrap token's id (<c>tok_bootstrap_</c> and 12 hex digits of the
/// secret's SHA-256) is replaced on start, and its runs follow it.
/// </summary>
public sealed class BootstrapTokenIdTests
{
    [Fact]
    public async Task Start_ReplacesAHashDerivedBootstrapId_AndTheTokensRunsFollowIt()
    {
        using var folder = new TempFolder();
        var secret = "mst_legacy_bootstrap_" + Guid.NewGuid().ToString("N");
        var connectionString = $"Data Source={folder.Combine("shared.db")}";
        var setup = new MusterServerSetup
        {
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Storage:ConnectionString"] = connectionString,
                ["Muster:Auth:BootstrapToken"] = secret,
            },
        };
        Guid runId;
        await using (var first = await MusterServerFixture.StartAsync(setup))
        {
            using var org = first.CreateClient(secret);
            runId = await org.KickoffAsync(new JsonObject { ["topic"] = "renamed" }, idempotencyKey: "before-the-rename");
            await Eventually.Until(async () => (await org.GetJsonAsync($"/status/{runId}")).Body, s => s.Is("completed"), "the run never completed");
            var randomId = await BootstrapIdAsync(org);

            // Back to how an older version stored it.
            using var store = new SqliteRunStore(connectionString, TimeProvider.System);
            (await store.ReplaceTokenIdAsync(randomId, Derived(secret), CancellationToken.None)).ShouldBeTrue();
        }

        await using var second = await MusterServerFixture.StartAsync(setup);
        using var client = second.CreateClient(secret);

        var id = await BootstrapIdAsync(client);
        var (_, record) = await client.GetJsonAsync($"/api/crew-runs/{runId}");
        var byOwner = await client.GetFromJsonAsync<JsonArray>($"/api/crew-runs?owner_id=org:{id}");
        var again = await client.KickoffAsync(new JsonObject { ["topic"] = "renamed" }, idempotencyKey: "before-the-rename");
        var tokens = await (await client.GetAsync("/api/tokens")).Content.ReadAsStringAsync();

        id.ShouldMatch("^tok_bootstrap_[0-9a-f]{16}$");
        record["owner_id"]!.GetValue<string>().ShouldBe($"org:{id}");
        byOwner!.Select(r => r!["id"]!.GetValue<string>()).ShouldContain(runId.ToString());
        again.ShouldBe(runId);
        tokens.ShouldNotContain(Derived(secret));
        (await client.GetAsync($"/status/{runId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static string Derived(string secret) => "tok_bootstrap_" + TokenService.Hash(secret)[..12];

    private static async Task<string> BootstrapIdAsync(HttpClient org) =>
        (await org.GetFromJsonAsync<JsonArray>("/api/tokens"))!.Single(t => t!["name"]?.GetValue<string>() == "bootstrap")!["id"]!.GetValue<string>();
}
