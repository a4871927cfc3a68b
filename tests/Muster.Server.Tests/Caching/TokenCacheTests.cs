using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Server.Tokens;
using Muster.Testing;

namespace Muster.Server.Tests.Caching;

/// <summary>The principal cache, through real HTTP: a cached token skips the store, and a revocation takes effect at once.</summary>
public sealed class TokenCacheTests
{
    private const string Find = "FindTokenByHashAsync";

    [Theory]
    [InlineData(300, 1)]
    [InlineData(0, 2)]
    public async Task TwoRequestsWithOneToken_ReadTheTokenStoreOnce_OrEachTimeWhenTheCacheIsOff(int tokenCacheSeconds, int storeReads)
    {
        var calls = new StoreCallCounter();
        await using var server = await StartAsync(calls, tokenCacheSeconds);
        var (_, secret) = await CreateUserTokenAsync(server);
        using var client = server.CreateClient(secret);

        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);

        calls.Count(Find, TokenService.Hash(secret)).ShouldBe(storeReads);
    }

    [Fact]
    public async Task RevokedCachedToken_IsRefusedOnTheVeryNextRequest()
    {
        var calls = new StoreCallCounter();
        await using var server = await StartAsync(calls, tokenCacheSeconds: 300);
        var (id, secret) = await CreateUserTokenAsync(server);
        using var client = server.CreateClient(secret);
        using var org = server.CreateClient(server.BootstrapToken);
        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
        calls.Count(Find, TokenService.Hash(secret)).ShouldBe(1, "the token must be served from the cache before the revocation");

        (await org.DeleteAsync($"/api/tokens/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UnknownTokens_AreNotCached()
    {
        var calls = new StoreCallCounter();
        await using var server = await StartAsync(calls, tokenCacheSeconds: 300);
        const string secret = "mst_not_a_token_anyone_issued";
        using var client = server.CreateClient(secret);

        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        calls.Count(Find, TokenService.Hash(secret)).ShouldBe(2);
    }

    private static Task<MusterServerFixture> StartAsync(StoreCallCounter calls, int tokenCacheSeconds) => MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?> { ["Muster:Auth:TokenCacheSeconds"] = tokenCacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Services = calls.Register,
    });

    private static async Task<(string Id, string Secret)> CreateUserTokenAsync(MusterServerFixture server)
    {
        using var org = server.CreateClient(server.BootstrapToken);
        using var created = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "user", ["user_id"] = "u-" + Guid.NewGuid().ToString("N")[..8] });
        var (status, body) = await created.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.Created, body.ToJsonString());
        return (body["info"]!["id"]!.GetValue<string>(), body["token"]!.GetValue<string>());
    }
}
