using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Muster.Testing;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ReviewTests(ConsoleServer console)
{
    [Fact]
    public async Task ApprovingAReview_LetsTheRunComplete_AndRejectingWithFeedback_RunsTheTaskAgainWithIt()
    {
        var approved = await console.KickoffAsync("support", new JsonObject { ["question"] = "approve-" + Guid.NewGuid().ToString("N")[..8] });
        var rejected = await console.KickoffAsync("support", new JsonObject { ["question"] = "reject-" + Guid.NewGuid().ToString("N")[..8] });
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await Eventually.Until(
            async () => await (await page.APIRequest.GetAsync("/ui/reviews")).TextAsync(),
            text => text.Contains($"review-{approved:N}", StringComparison.Ordinal) && text.Contains($"review-{rejected:N}", StringComparison.Ordinal),
            "both runs never paused for review");

        await page.GotoAsync("/ui/reviews");
        await page.Locator($"#review-{approved:N}").GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/ui/runs/{approved:N}$"));
        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("completed");

        var feedback = "Shorter please " + Guid.NewGuid().ToString("N")[..6];
        await page.GotoAsync("/ui/reviews");
        var review = page.Locator($"#review-{rejected:N}");
        await review.GetByLabel("Feedback").FillAsync(feedback);
        await review.GetByRole(AriaRole.Button, new() { Name = "Reject with feedback" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/ui/runs/{rejected:N}$"));

        // The task runs again with the feedback and pauses for review once more.
        await Eventually.Until(() => console.Server.Simulator.Requests.Any(r => r.Mentions(feedback)), "the rerun never got the feedback");
        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("awaiting review");
        await Expect(page.Locator(".span-task")).ToHaveCountAsync(2);
    }
}
