using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SessionTests(ConsoleServer console)
{
    [Fact]
    public async Task SigningIn_WithAToken_SetsAnHttpOnlyStrictCookieThatDoesNotHoldTheToken()
    {
        var page = await console.NewPageAsync();
        await page.GotoAsync("/ui/runs");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/login"));

        await page.GetByLabel("Organization or user token").FillAsync(console.Server.BootstrapToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/ui/runs$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Runs" })).ToBeVisibleAsync();
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "muster_session");
        cookie.HttpOnly.ShouldBeTrue();
        cookie.SameSite.ShouldBe(SameSiteAttribute.Strict);
        cookie.Value.ShouldNotContain(console.Server.BootstrapToken);
        cookie.Value.ShouldNotContain(console.Server.BootstrapToken[4..]);
    }

    [Fact]
    public async Task SigningIn_WithAnUnknownToken_IsRefused()
    {
        var page = await console.NewPageAsync();
        await page.GotoAsync("/ui/login");
        await page.GetByLabel("Organization or user token").FillAsync("mst_not_a_token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("unknown or revoked");
        (await page.Context.CookiesAsync()).ShouldNotContain(c => c.Name == "muster_session");
    }

    [Fact]
    public async Task SigningOut_EndsTheSession()
    {
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/ui/login"));
        await page.GotoAsync("/ui/runs");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/login"));
    }

    [Fact]
    public async Task RevokingTheToken_EndsItsSessionAtOnce()
    {
        var (secret, id) = await console.CreateTokenAsync(new JsonObject { ["kind"] = "org", ["name"] = "to revoke" });
        var page = await console.SignedInPageAsync(secret);
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "muster_session");

        using var revoke = await console.Api.DeleteAsync($"/api/tokens/{id}");
        revoke.StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // The very next request, with the same cookie, is sent to sign in again.
        var response = await page.GotoAsync("/ui/runs");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/login"));
        response.ShouldNotBeNull();
        (await page.Context.CookiesAsync()).ShouldContain(c => c.Name == "muster_session" && c.Value == cookie.Value);
    }

    [Fact]
    public async Task AUserToken_CannotSeeAnotherUsersRun_AndItsUrlAnswers404()
    {
        var (alice, _) = await console.CreateTokenAsync(new JsonObject { ["kind"] = "user", ["user_id"] = "alice-" + Guid.NewGuid().ToString("N")[..8] });
        var (bob, _) = await console.CreateTokenAsync(new JsonObject { ["kind"] = "user", ["user_id"] = "bob-" + Guid.NewGuid().ToString("N")[..8] });
        var alicesRun = await console.KickoffAsync("research", new JsonObject { ["topic"] = "alice's secret" }, alice);

        var page = await console.SignedInPageAsync(bob);

        await Expect(page.Locator($"#run-{alicesRun:N}")).ToHaveCountAsync(0);
        var response = await page.GotoAsync($"/ui/runs/{alicesRun:N}");
        response!.Status.ShouldBe(404);
        await Expect(page.Locator("main")).Not.ToContainTextAsync("alice's secret");
        var live = await page.APIRequest.GetAsync($"/ui/live/runs/{alicesRun:N}");
        live.Status.ShouldBe(404);
    }

    [Fact]
    public async Task ConsolePages_SendTheSecurityHeaders()
    {
        using var client = console.Server.CreateClient();
        using var response = await client.GetAsync("/ui/login");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        policy.ShouldContain("frame-ancestors 'none'");
        policy.ShouldContain("script-src 'self'");
        policy.ShouldNotContain("unsafe-inline");
        response.Headers.GetValues("X-Content-Type-Options").ShouldContain("nosniff");
    }
}
