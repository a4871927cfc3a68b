using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Muster.Testing;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

/// <summary>Runs only when <c>MUSTER_SCREENSHOTS</c> names a folder (scripts/screenshots.sh sets it to docs/console).</summary>
public sealed class ScreenshotFactAttribute : FactAttribute
{
    public const string Variable = "MUSTER_SCREENSHOTS";

    public ScreenshotFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"Set {Variable} to a folder to make the console's screenshots (scripts/screenshots.sh).";
        }
    }
}

/// <summary>The README's pictures of the console: every page, light and dark, at 1280 px, and the run page at 390 px.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ScreenshotTests(ConsoleServer console)
{
    [ScreenshotFact]
    public async Task EveryPage_IsPhotographedLightAndDark()
    {
        var folder = Environment.GetEnvironmentVariable(ScreenshotFactAttribute.Variable)!;
        Directory.CreateDirectory(folder);
        var completed = await console.KickoffAsync("research", new JsonObject { ["topic"] = "tide pools" });
        var review = await console.KickoffAsync("support", new JsonObject { ["question"] = "How do I reset my password?" });
        await console.CreateTokenAsync(new JsonObject
        {
            ["kind"] = "user", ["user_id"] = "alice", ["name"] = "Alice's laptop",
            ["limits"] = new JsonObject { ["max_tokens_per_day"] = 200_000, ["max_cost_usd_per_month"] = 60 },
        });
        await Eventually.Until(async () => await console.StatusAsync(completed) == "completed", "the run never completed");
        var probe = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await Eventually.Until(
            async () => (await (await probe.APIRequest.GetAsync("/ui/reviews")).TextAsync()).Contains($"review-{review:N}", StringComparison.Ordinal),
            "the review never appeared");

        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var name = scheme == ColorScheme.Light ? "light" : "dark";
            var page = await console.NewPageAsync(scheme: scheme);
            await page.GotoAsync("/ui/login");
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"login-{name}.png") });
            await page.GetByLabel("Organization or user token").FillAsync(console.Server.BootstrapToken);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/ui/runs$"));
            await Shoot(page, "/ui/runs", $"runs-{name}", folder);
            await page.GotoAsync($"/ui/runs/{completed:N}");
            await Expect(page.Locator(".facts .status")).ToHaveTextAsync("completed");
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"run-{name}.png"), FullPage = true });
            await Shoot(page, "/ui/reviews", $"reviews-{name}", folder);
            await Shoot(page, "/ui/crews", $"crews-{name}", folder);
            await Shoot(page, "/ui/tokens", $"tokens-{name}", folder);
        }

        var phone = await console.SignedInPageAsync(console.Server.BootstrapToken, width: 390);
        await phone.GotoAsync($"/ui/runs/{completed:N}");
        await Expect(phone.Locator(".facts .status")).ToHaveTextAsync("completed");
        await phone.ScreenshotAsync(new() { Path = Path.Combine(folder, "run-390px.png"), FullPage = true });
    }

    private static async Task Shoot(IPage page, string path, string name, string folder)
    {
        await page.GotoAsync(path);
        await Expect(page.Locator("main h1")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
