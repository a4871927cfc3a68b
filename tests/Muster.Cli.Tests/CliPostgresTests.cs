using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Cli.Tests;

/// <summary><c>muster db migrate</c> and <c>muster tokens</c> directly against PostgreSQL, in a schema of the test's own.</summary>
public sealed class CliPostgresTests
{
    [PostgresFact]
    public async Task DbMigrate_ThreeAtOnceOnAnEmptyDatabase_AllSucceed_AndTheStoreTakesTokens()
    {
        await using var schema = await ThrowawaySchema.CreateAsync("cli");
        string[] args = ["db", "migrate", "--storage-provider", "postgres", "--connection-string", schema.ConnectionString];

        var migrations = await Task.WhenAll(CliProcess.RunAsync(null, args), CliProcess.RunAsync(null, args), CliProcess.RunAsync(null, args));
        var token = await CliProcess.RunAsync(null, "tokens", "create", "--kind", "org", "--storage-provider", "postgres", "--connection-string", schema.ConnectionString, "--json");
        var listed = await CliProcess.RunAsync(null, "tokens", "list", "--storage-provider", "postgres", "--connection-string", schema.ConnectionString, "--json");

        migrations.ShouldAllBe(m => m.ExitCode == 0 && m.Stdout.Contains("postgres store's schema is up to date"), string.Join("\n", migrations.Select(m => m.ToString())));
        token.ExitCode.ShouldBe(0, token.ToString());
        var id = JsonNode.Parse(token.Stdout)!["info"]!["id"]!.GetValue<string>();
        JsonNode.Parse(listed.Stdout)!.AsArray().ShouldHaveSingleItem()!["id"]!.GetValue<string>().ShouldBe(id);
    }

    [PostgresFact]
    public async Task TokensRevoke_DirectlyInTheStore_EndsTheTokenOnARunningServerAtOnce_ThoughItCachesTokensForFiveMinutes()
    {
        await using var schema = await ThrowawaySchema.CreateAsync("cli");
        using var folder = new TempFolder();
        string[] store = ["--storage-provider", "postgres", "--connection-string", schema.ConnectionString];
        var created = await CliProcess.RunAsync(null, ["tokens", "create", "--kind", "org", "--json", .. store]);
        created.ExitCode.ShouldBe(0, created.ToString());
        var token = JsonNode.Parse(created.Stdout)!;
        var (secret, id) = (token["token"]!.GetValue<string>(), token["info"]!["id"]!.GetValue<string>());
        TestCrews.WriteTwoTaskCrew(folder.Combine("crews"));
        var settings = TestSettings.For(folder, "http://127.0.0.1:9/v1", "mst_bootstrap_unused_" + Guid.NewGuid().ToString("N"));
        settings["Muster:Storage:Provider"] = "postgres";
        settings["Muster:Storage:ConnectionString"] = schema.ConnectionString;
        settings["Muster:Auth:TokenCacheSeconds"] = "300";
        await using var node = await MusterServerProcess.StartAsync(settings, folder.Path, Eventually.ProcessLimit);
        using var client = node.CreateClient(secret);
        // The node's LISTEN connection is up once it has said so; a notification sent before that would be missed.
        await Eventually.Until(() => node.Output.Any(l => l.Contains("Listening for wake-ups", StringComparison.Ordinal)), "the node never said it listens for wake-ups");
        using var before = await client.GetAsync(new Uri("/api/crews", UriKind.Relative));

        var revoke = await CliProcess.RunAsync(null, ["tokens", "revoke", id, .. store]);
        // Well within the five minutes the node would otherwise cache the token for.
        await Eventually.Until(
            async () =>
            {
                using var response = await client.GetAsync(new Uri("/api/crews", UriKind.Relative));
                return response.StatusCode == HttpStatusCode.Unauthorized;
            },
            "the node still accepted the revoked token",
            Eventually.ProcessLimit);

        before.StatusCode.ShouldBe(HttpStatusCode.OK);
        revoke.ExitCode.ShouldBe(0, revoke.ToString());
        revoke.Stdout.Trim().ShouldBe($"Revoked token {id}.");
        revoke.Stderr.ShouldBeEmpty();
    }
}
