using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Muster.Testing;

namespace Muster.Server.Tests.MultiNode;

/// <summary>A node on PostgreSQL: start-up errors that name the fix, and readiness that follows the database.</summary>
public sealed class PostgresHostingTests
{
    [Fact]
    public async Task Start_WithPostgresButNoConnectionString_FailsNamingTheSetting()
    {
        var error = await Should.ThrowAsync<OptionsValidationException>(() => MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?> { ["Muster:Storage:Provider"] = "postgres", ["Muster:Storage:ConnectionString"] = "" },
        }));

        error.Message.ShouldContain("Muster:Storage:ConnectionString");
    }

    [Fact]
    public async Task Start_WithADatabaseThatCannotBeReached_FailsNamingTheSetting_WithoutThePassword()
    {
        var error = await Should.ThrowAsync<InvalidOperationException>(() => MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Storage:Provider"] = "postgres",
                ["Muster:Storage:ConnectionString"] = $"Host=127.0.0.1;Port={ClosedPort()};Database=muster;Username=muster;Password=hunter2;Timeout=5",
            },
        }));

        error.Message.ShouldContain("could not be opened");
        error.Message.ShouldContain("Muster:Storage:ConnectionString");
        error.Message.ShouldNotContain("hunter2");
    }

    [PostgresFact]
    public async Task Readyz_AnswersUnavailableWhileTheDatabaseIsAway_AndReadyWhenItReturns()
    {
        await using var database = await ThrowawayDatabase.CreateAsync();
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Storage:Provider"] = "postgres",
                ["Muster:Storage:ConnectionString"] = database.ConnectionString + ";Timeout=5",
            },
        });
        using var client = server.CreateClient();
        (await client.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await database.SetReachableAsync(false);
        (await client.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        await database.SetReachableAsync(true);
        await WaitForStatusAsync(client, HttpStatusCode.OK);
    }

    [PostgresFact]
    public async Task WhileTheDatabaseIsAway_AuthenticatedRequestsAndReadyzWithAToken_Answer503WithRetryAfter()
    {
        await using var database = await ThrowawayDatabase.CreateAsync();
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Storage:Provider"] = "postgres",
                ["Muster:Storage:ConnectionString"] = database.ConnectionString + ";Timeout=5",
            },
        });
        using var client = server.CreateClient(server.BootstrapToken);
        // A token nobody has used yet must be looked up in the store, which is away.
        using var stranger = server.CreateClient("mst_never_seen_" + Guid.NewGuid().ToString("N"));

        await database.SetReachableAsync(false);

        foreach (var (caller, path) in new[] { (client, "/readyz"), (client, "/api/crew-runs"), (stranger, "/readyz"), (stranger, "/api/crew-runs") })
        {
            using var response = await caller.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, $"{path}: {await response.Content.ReadAsStringAsync()}");
            response.Headers.RetryAfter.ShouldNotBeNull(path);
        }

        using var kickoff = await client.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "away" } });
        var (status, body) = await kickoff.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.ServiceUnavailable, body.ToJsonString());
        body["message"]!.GetValue<string>().ShouldContain("cannot be reached");

        await database.SetReachableAsync(true);
        await WaitForStatusAsync(client, HttpStatusCode.OK);
        (await client.GetAsync("/api/crew-runs")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static Task WaitForStatusAsync(HttpClient client, HttpStatusCode expected) =>
        Eventually.Until(
            async () =>
            {
                using var response = await client.GetAsync("/readyz");
                return response.StatusCode;
            },
            status => status == expected,
            $"/readyz never answered {expected}");

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
