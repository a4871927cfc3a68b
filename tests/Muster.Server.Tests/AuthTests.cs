using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests;

public sealed class AuthTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/", "Healthy")]
    [InlineData("/healthz", "Healthy")]
    [InlineData("/readyz", "Ready")]
    public async Task HealthChecks_WithoutToken_Answer200(string path, string text)
    {
        using var client = _server.CreateClient();
        using var response = await client.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe(text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("mst_not_a_real_token_at_all_0000000000")]
    [InlineData("")]
    public async Task Inputs_WithMissingOrWrongToken_Returns401WithTheSpecBody(string? token)
    {
        using var client = _server.CreateClient(token);
        using var response = await client.GetAsync("/inputs");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"error":"Unauthorized","message":"Invalid or missing bearer token"}""");
    }

    [Fact]
    public async Task CreatedToken_Works_AndIsNeverListed()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        var token = await org.CreateTokenAsync("org");
        token.ShouldStartWith("mst_");
        (token.Length - 4).ShouldBeGreaterThanOrEqualTo(43);

        using var client = _server.CreateClient(token);
        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var list = await (await org.GetAsync("/api/tokens")).Content.ReadAsStringAsync();
        list.ShouldNotContain(token);
        list.ShouldNotContain(token[4..]);
    }

    [Fact]
    public async Task RevokedToken_Returns401()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var created = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "user", ["user_id"] = "u-revoke" });
        var (_, body) = await created.ReadJsonAsync();
        var id = body["info"]!["id"]!.GetValue<string>();
        using var client = _server.CreateClient(body["token"]!.GetValue<string>());
        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await org.DeleteAsync($"/api/tokens/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await org.DeleteAsync($"/api/tokens/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TokenEndpoints_WithUserToken_Return403()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var user = _server.CreateClient(await org.CreateTokenAsync("user", "u-403"));

        (await user.GetAsync("/api/tokens")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var create = await user.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "org" });
        var (status, body) = await create.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.Forbidden);
        body["error"]!.GetValue<string>().ShouldBe("Forbidden");
    }

    [Theory]
    [InlineData("""{"kind":"admin"}""")]
    [InlineData("""{"kind":"user"}""")]
    [InlineData("""{}""")]
    public async Task CreateToken_WithInvalidFields_Returns422(string body)
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var response = await org.PostRawAsync("/api/tokens", body, "application/json");
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task UserTokens_SeeOnlyTheirOwnRuns_OthersAnswer404()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var alice = _server.CreateClient(await org.CreateTokenAsync("user", "alice"));
        using var bob = _server.CreateClient(await org.CreateTokenAsync("user", "bob"));

        var id = await alice.KickoffAsync(new JsonObject { ["topic"] = "isolation" });

        (await alice.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.GetAsync($"/status/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (status, body) = await bob.GetJsonAsync($"/status/{id}");
        status.ShouldBe(HttpStatusCode.NotFound);
        body["error"]!.GetValue<string>().ShouldBe("Execution not found");
        (await bob.PostAsync($"/stop/{id}", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TokenForOtherCrews_DoesNotReachThisCrew()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var scoped = _server.CreateClient(await org.CreateTokenAsync("org", null, "another-crew"));

        (await scoped.GetAsync("/crews/research/inputs")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
