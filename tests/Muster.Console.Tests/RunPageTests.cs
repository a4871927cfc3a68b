using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Muster.Testing;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class RunPageTests(ConsoleServer console)
{
    [Fact]
    public async Task KickingOffFromTheCrewsForm_LeadsToTheRunPage_WhichShowsTheRunCompleteLive()
    {
        var topic = "kickoff-" + Guid.NewGuid().ToString("N")[..8];
        // The second task's answer waits until the page is open, so what the page shows afterwards came live.
        using var hold = AnswerHold.About(console.Server.Simulator, "Write a report from the research");
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.GotoAsync("/ui/crews");
        var crew = page.Locator("#crew-research");
        await crew.GetByLabel("topic").FillAsync(topic);
        await crew.GetByRole(AriaRole.Button, new() { Name = "Kick off research" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/ui/runs/[0-9a-f]{32}$"));
        await Expect(page.Locator(".input-value")).ToHaveTextAsync(topic);
        await hold.WaitForCallAsync();
        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("running");

        hold.Release();

        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("completed");
        await Expect(page.Locator(".output h3")).ToHaveCountAsync(2);
        await Expect(page.Locator(".span-task")).ToHaveCountAsync(2);
        await Expect(page.Locator(".span-llm").First).ToContainTextAsync("tokens");
        await Expect(page.Locator("#stop")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task TheRunsPage_ShowsANewRunAndItsStatusChangesWithoutReloading()
    {
        var topic = "listed-" + Guid.NewGuid().ToString("N")[..8];
        using var hold = AnswerHold.About(console.Server.Simulator, topic);
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var runId = await console.KickoffAsync("research", new JsonObject { ["topic"] = topic });

        var row = page.Locator($"#run-{runId:N}");
        await Expect(row.Locator(".status")).ToHaveTextAsync(new Regex("pending|running"));
        hold.Release();
        await Expect(row.Locator(".status")).ToHaveTextAsync("completed");
        (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).ShouldBeTrue();
    }

    [Fact]
    public async Task TheStopButton_StopsARunningRun()
    {
        var topic = "stop-" + Guid.NewGuid().ToString("N")[..8];
        using var hold = AnswerHold.About(console.Server.Simulator, topic);
        var runId = await console.KickoffAsync("research", new JsonObject { ["topic"] = topic });
        await hold.WaitForCallAsync();
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.GotoAsync($"/ui/runs/{runId:N}");
        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("running");

        await page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();

        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("stopped");
        await Expect(page.Locator("pre.error")).ToContainTextAsync("Stopped by");
        (await console.StatusAsync(runId)).ShouldBe("failed");
    }

    [Fact]
    public async Task APostWithoutTheAntiforgeryToken_IsRefusedAndChangesNothing()
    {
        var topic = "forged-" + Guid.NewGuid().ToString("N")[..8];
        using var hold = AnswerHold.About(console.Server.Simulator, topic);
        var runId = await console.KickoffAsync("research", new JsonObject { ["topic"] = topic });
        await hold.WaitForCallAsync();
        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);

        // The browser's own cookies (session and anti-forgery cookie) go with it; only the form's token is missing.
        var forged = await page.APIRequest.PostAsync($"/ui/runs/{runId:N}/stop", new() { Form = page.APIRequest.CreateFormData() });

        forged.Status.ShouldBe(400);
        (await console.StatusAsync(runId)).ShouldBe("running");
        await page.GotoAsync($"/ui/runs/{runId:N}");
        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("running");
    }
}
