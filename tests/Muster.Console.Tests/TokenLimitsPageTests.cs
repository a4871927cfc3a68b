using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Muster.Contracts;
using Muster.Simulator;
using Muster.Testing;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

/// <summary>
/// The tokens page and spending limits (docs/COSTS.md, "Per-token limits"): the list shows each token's limits as
/// <c>muster tokens list</c> does, the create form sets them with the API's checks and messages, and the run page writes a
/// cost as the CLI does.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TokenLimitsPageTests(ConsoleServer console)
{
    [Fact]
    public async Task ATokenCreatedWithLimitsOnTheTokensPage_HasThemInTheApi_AndTheListShowsThem()
    {
        var name = "limited " + Guid.NewGuid().ToString("N")[..6];
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.GotoAsync("/ui/tokens");
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Kind").SelectOptionAsync("user");
        await page.GetByLabel("User id (user tokens)").FillAsync("dora");
        await page.GetByLabel("Max tokens per day").FillAsync("200,000");
        await page.GetByLabel("Max cost per day (US dollars)").FillAsync("5");
        await page.GetByLabel("Max tokens per month").FillAsync("3000000");
        await page.GetByLabel("Max cost per month (US dollars)").FillAsync("$60.25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        await Expect(page.Locator("#new-token")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^mst_"));
        var listed = await TokenNamedAsync(name);
        listed.ShouldNotBeNull();
        listed["limits"]!.ToJsonString().ShouldBe("""{"max_tokens_per_day":200000,"max_cost_usd_per_day":5,"max_tokens_per_month":3000000,"max_cost_usd_per_month":60.25}""");
        await Expect(page.Locator("tr", new() { HasText = name }).Locator("td.limits"))
            .ToHaveTextAsync("200,000 tokens/day, $5/day, 3,000,000 tokens/month, $60.25/month");

        var plain = "unlimited " + Guid.NewGuid().ToString("N")[..6];
        await console.CreateTokenAsync(new JsonObject { ["kind"] = "org", ["name"] = plain });
        await page.GotoAsync("/ui/tokens");
        await Expect(page.Locator("tr", new() { HasText = plain }).Locator("td.limits")).ToHaveTextAsync("none");
    }

    [Fact]
    public async Task LimitsTheApiWouldRefuse_Answer422WithItsMessages_CreateNothing_AndKeepWhatWasTyped()
    {
        var name = "refused " + Guid.NewGuid().ToString("N")[..6];
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.GotoAsync("/ui/tokens");
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Kind").SelectOptionAsync("user");
        await page.GetByLabel("User id (user tokens)").FillAsync("erin");
        await page.GetByLabel("Crews (comma-separated; empty for all)").FillAsync("research");
        await page.GetByLabel("Max tokens per day").FillAsync("0");
        await page.GetByLabel("Max cost per day (US dollars)").FillAsync("0.0000000001");
        await page.GetByLabel("Max tokens per month").FillAsync("lots");
        await page.GetByLabel("Max cost per month (US dollars)").FillAsync("60");

        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync(),
            r => r.Url.EndsWith("/ui/tokens", StringComparison.Ordinal) && r.Request.Method == "POST");

        response.Status.ShouldBe(422);
        var alert = page.Locator(".create-token [role=alert]");
        // The API's own messages for the limits it checks (TokenRules), and the field the API would call the wrong type.
        await Expect(alert).ToContainTextAsync("body.limits.max_tokens_per_day: limits.max_tokens_per_day must be positive (leave it out for no limit)");
        await Expect(alert).ToContainTextAsync("limits.max_cost_usd_per_day must be at most 1,000,000,000 US dollars, with at most 9 decimals");
        await Expect(alert).ToContainTextAsync("body.limits.max_tokens_per_month: limits.max_tokens_per_month must be a whole number of tokens");
        await Expect(page.Locator("#new-token")).ToHaveCountAsync(0);
        (await TokenNamedAsync(name)).ShouldBeNull();

        await Expect(page.GetByLabel("Name")).ToHaveValueAsync(name);
        await Expect(page.GetByLabel("Kind")).ToHaveValueAsync("user");
        await Expect(page.GetByLabel("User id (user tokens)")).ToHaveValueAsync("erin");
        await Expect(page.GetByLabel("Crews (comma-separated; empty for all)")).ToHaveValueAsync("research");
        await Expect(page.GetByLabel("Max tokens per day")).ToHaveValueAsync("0");
        await Expect(page.GetByLabel("Max tokens per day")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Max cost per day (US dollars)")).ToHaveValueAsync("0.0000000001");
        await Expect(page.GetByLabel("Max tokens per month")).ToHaveValueAsync("lots");
        await Expect(page.GetByLabel("Max cost per month (US dollars)")).ToHaveValueAsync("60");
        await Expect(page.GetByLabel("Max cost per month (US dollars)")).Not.ToHaveAttributeAsync("aria-invalid", "true");

        // Corrected in place, the same form creates the token.
        await page.GetByLabel("Max tokens per day").FillAsync("1000");
        await page.GetByLabel("Max cost per day (US dollars)").FillAsync("0.5");
        await page.GetByLabel("Max tokens per month").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.Locator("#new-token")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^mst_"));
        (await TokenNamedAsync(name))!["limits"]!.ToJsonString()
            .ShouldBe("""{"max_tokens_per_day":1000,"max_cost_usd_per_day":0.5,"max_cost_usd_per_month":60}""");
    }

    [Fact]
    public async Task ATokenFormPostedOverHttp_WithALimitThatIsNotPositive_Is422AndCreatesNothing()
    {
        var name = "posted " + Guid.NewGuid().ToString("N")[..6];
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.GotoAsync("/ui/tokens");
        var antiforgery = page.Locator(".create-token input[type=hidden]");
        var form = page.APIRequest.CreateFormData();
        form.Set(await antiforgery.GetAttributeAsync("name") ?? "", await antiforgery.GetAttributeAsync("value") ?? "");
        form.Set("name", name);
        form.Set("kind", "organization");
        form.Set("max_cost_usd_per_month", "-3");

        var answer = await page.APIRequest.PostAsync("/ui/tokens", new() { Form = form });

        answer.Status.ShouldBe(422);
        (await answer.TextAsync()).ShouldContain("limits.max_cost_usd_per_month must be positive (leave it out for no limit)");
        (await TokenNamedAsync(name)).ShouldBeNull();
    }

    [Fact]
    public async Task TheRunPage_WritesTheRunsCost_AsTheCliDoes()
    {
        // Two calls of 123 prompt and 45 completion tokens at $3 and $15 per million: $0.002088, below a cent.
        var marker = "priced-" + Guid.NewGuid().ToString("N")[..8];
        var previous = console.Server.Simulator.Responder;
        console.Server.Simulator.Responder = request => request.Mentions(marker) ? SimulatedReply.Text("Noted.", 123, 45) : previous?.Invoke(request);
        try
        {
            var runId = await console.KickoffAsync("research", new JsonObject { ["topic"] = marker });
            await Eventually.Until(async () => await console.StatusAsync(runId) == "completed", "the run never completed");
            var record = await console.Api.GetFromJsonAsync<JsonObject>($"/api/crew-runs/{runId}");
            var cost = record!["token_usage"]!["cost_usd"]!.GetValue<decimal>();
            // Below a cent and finer than four decimals: the case where a page and the CLI could round differently.
            cost.ShouldBeLessThan(0.01m);
            decimal.Round(cost, 4).ShouldNotBe(cost);

            var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
            await page.GotoAsync($"/ui/runs/{runId:N}");

            await Expect(page.Locator(".facts .cost")).ToHaveTextAsync(DisplayText.Usd(cost));
        }
        finally
        {
            console.Server.Simulator.Responder = previous;
        }
    }

    private async Task<JsonNode?> TokenNamedAsync(string name)
    {
        var tokens = await console.Api.GetFromJsonAsync<JsonArray>("/api/tokens");
        return tokens!.SingleOrDefault(t => t!["name"]?.GetValue<string>() == name);
    }
}
