using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Server.Tokens;
using Muster.Storage;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// Who may manage tokens (an organization token with <c>manage_tokens</c> that covers every crew), user ids kept out of
/// the organization owners' namespace, and token ids that say nothing about secrets.
/// </summary>
public sealed class TokenManagementTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CrewLimitedOrgToken_CannotCreateListOrRevokeTokens()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        var bootstrapId = await BootstrapIdAsync(org);
        using var limited = _server.CreateClient(await org.CreateTokenAsync("org", null, "research"));

        using var create = await limited.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "org" });
        var (createStatus, createBody) = await create.ReadJsonAsync();
        using var list = await limited.GetAsync("/api/tokens");
        using var revoke = await limited.DeleteAsync($"/api/tokens/{bootstrapId}");

        createStatus.ShouldBe(HttpStatusCode.Forbidden);
        createBody["message"]!.GetValue<string>().ShouldContain("manage_tokens");
        list.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        revoke.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await org.GetAsync("/api/tokens")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await limited.GetAsync("/crews/research/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OrgTokenOfEveryCrewWithoutTheRight_CannotManageTokens_OneWithItCan()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var plain = _server.CreateClient(await org.CreateTokenAsync("org"));
        var (managerSecret, managerInfo) = await CreateAsync(org, new JsonObject { ["kind"] = "org", ["manage_tokens"] = true });
        using var manager = _server.CreateClient(managerSecret);

        (await plain.GetAsync("/api/tokens")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        managerInfo["manage_tokens"]!.GetValue<bool>().ShouldBeTrue();
        var (_, created) = await CreateAsync(manager, new JsonObject { ["kind"] = "user", ["user_id"] = "made-by-manager" });
        created["manage_tokens"]!.GetValue<bool>().ShouldBeFalse();
        (await manager.DeleteAsync($"/api/tokens/{created["id"]}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("""{"kind":"user","user_id":"u-manage","manage_tokens":true}""")]
    [InlineData("""{"kind":"org","crews":["research"],"manage_tokens":true}""")]
    public async Task CreateToken_WithManageTokensOnANarrowerToken_Returns422(string body)
    {
        using var org = _server.CreateClient(_server.BootstrapToken);

        using var response = await org.PostRawAsync("/api/tokens", body, "application/json");
        var (status, json) = await response.ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        json["detail"]![0]!["loc"]!.GetValue<string>().ShouldBe("body.manage_tokens");
    }

    [Theory]
    [InlineData("org:")]
    [InlineData("ORG:tok_anything")]
    public async Task CreateToken_WithAUserIdInTheOrganizationNamespace_Returns422(string prefix)
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        var userId = prefix + await BootstrapIdAsync(org);

        using var response = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "user", ["user_id"] = userId });
        var (status, json) = await response.ReadJsonAsync();

        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        json["detail"]![0]!["loc"]!.GetValue<string>().ShouldBe("body.user_id");
        json["detail"]![0]!["msg"]!.GetValue<string>().ShouldContain("org:");
    }

    [Fact]
    public async Task StoredUserTokenInTheOrganizationNamespace_IsRefused_AndCannotReachTheOrgTokensRuns()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        var bootstrapId = await BootstrapIdAsync(org);
        var runId = await org.KickoffAsync(new JsonObject { ["topic"] = "namespaces" });
        // A token stored before such user ids were refused.
        var (secret, _) = await _server.Services.GetRequiredService<TokenService>().CreateAsync(
            new NewToken(TokenKind.User, "org:" + bootstrapId, [], "old"), CancellationToken.None);
        using var impostor = _server.CreateClient(secret);

        (await impostor.GetAsync($"/status/{runId}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await impostor.GetAsync("/api/crew-runs")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await impostor.DeleteAsync($"/api/crew-runs/{runId}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task BootstrapToken_HasARandomId_ThatDoesNotDeriveFromItsHash_AndManagesTokens()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        var tokens = (await org.GetFromJsonAsync<JsonArray>("/api/tokens"))!;

        var bootstrap = tokens.Single(t => t!["name"]?.GetValue<string>() == "bootstrap")!;
        var id = bootstrap["id"]!.GetValue<string>();
        id.ShouldMatch("^tok_bootstrap_[0-9a-f]{16}$");
        TokenService.Hash(_server.BootstrapToken).ShouldNotContain(id["tok_bootstrap_".Length..][..8]);
        bootstrap["manage_tokens"]!.GetValue<bool>().ShouldBeTrue();
    }

    private static async Task<string> BootstrapIdAsync(HttpClient org) =>
        (await org.GetFromJsonAsync<JsonArray>("/api/tokens"))!.Single(t => t!["name"]?.GetValue<string>() == "bootstrap")!["id"]!.GetValue<string>();

    private static async Task<(string Secret, JsonObject Info)> CreateAsync(HttpClient client, JsonObject body)
    {
        using var response = await client.PostAsJsonAsync("/api/tokens", body);
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.Created, json.ToJsonString());
        return (json["token"]!.GetValue<string>(), json["info"]!.AsObject());
    }
}
