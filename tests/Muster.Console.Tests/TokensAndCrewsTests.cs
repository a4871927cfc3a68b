using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class TokensAndCrewsTests(ConsoleServer console)
{
    [Fact]
    public async Task ATokenCreatedOnTheTokensPage_IsShownOnceAndWorks_UntilItIsRevokedThere()
    {
        var name = "made in the console " + Guid.NewGuid().ToString("N")[..6];
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.GotoAsync("/ui/tokens");
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Kind").SelectOptionAsync("organization");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        var shown = page.Locator("#new-token");
        await Expect(shown).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^mst_"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
        var secret = await shown.TextContentAsync();
        (await CrewsStatusAsync(secret!)).ShouldBe(HttpStatusCode.OK);

        await page.GotoAsync("/ui/tokens");
        await Expect(page.Locator("#new-token")).ToHaveCountAsync(0);
        var row = page.Locator("tr", new() { HasText = name });
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();

        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Revoke" })).ToHaveCountAsync(0);
        (await CrewsStatusAsync(secret!)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheTokensPage_IsForTokensThatManageTokensOnly()
    {
        var (user, _) = await console.CreateTokenAsync(new JsonObject { ["kind"] = "user", ["user_id"] = "carol-" + Guid.NewGuid().ToString("N")[..8] });
        var page = await console.SignedInPageAsync(user);

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Tokens" })).ToHaveCountAsync(0);
        var response = await page.GotoAsync("/ui/tokens");
        response!.Status.ShouldBe(403);
    }

    [Fact]
    public async Task TheCrewsPage_ShowsAgentsTasksAndTheCrewThatFailedToLoad()
    {
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.GotoAsync("/ui/crews");

        var research = page.Locator("#crew-research");
        await Expect(research).ToContainTextAsync("research_task");
        await Expect(research).ToContainTextAsync("{topic} Researcher");
        await Expect(research.GetByLabel("topic")).ToBeVisibleAsync();
        await Expect(page.Locator("#crew-support")).ToContainTextAsync("human review");
        await Expect(page.Locator(".failures")).ToContainTextAsync(ConsoleServer.BrokenCrew);
    }

    private async Task<HttpStatusCode> CrewsStatusAsync(string token)
    {
        using var client = console.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/api/crews");
        return response.StatusCode;
    }
}
