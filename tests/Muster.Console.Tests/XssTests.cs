using System.Text.Json.Nodes;
using Muster.Simulator;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class XssTests(ConsoleServer console)
{
    [Fact]
    public async Task AnInputAndAnLlmAnswerFullOfMarkup_AreShownAsText_AndRunNothing()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var input = $"<img src=x onerror=\"window.__xss='input'\"> {marker}";
        var answer = "# Report\n\n<script>window.__xss='script'</script>\n\n"
            + "[click me](javascript:window.__xss='link') and [data](data:text/html;base64,PHNjcmlwdD4=) and [safe](https://example.org/)\n\n"
            + "<b onmouseover=\"window.__xss='b'\">bold?</b>";
        var previous = console.Server.Simulator.Responder;
        console.Server.Simulator.Responder = request => request.Mentions(marker) ? SimulatedReply.Text(answer) : previous?.Invoke(request);
        try
        {
            var runId = await console.KickoffAsync("research", new JsonObject { ["topic"] = input });
            var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
            await page.GotoAsync($"/ui/runs/{runId:N}");

            await Expect(page.Locator(".facts .status")).ToHaveTextAsync("completed");
            await Expect(page.Locator(".input-value")).ToHaveTextAsync(input);
            var output = page.Locator(".output .markdown").First;
            await Expect(output).ToContainTextAsync("<script>window.__xss='script'</script>");
            await Expect(output).ToContainTextAsync("<b onmouseover=");
            await Expect(output.Locator("h1")).ToHaveTextAsync("Report");
            await Expect(output.Locator("a[href='https://example.org/']")).ToHaveCountAsync(1);
            await Expect(page.Locator("main a[href^='javascript:'], main a[href^='data:']")).ToHaveCountAsync(0);
            await Expect(page.Locator("main img, main script, main b[onmouseover]")).ToHaveCountAsync(0);
            await Expect(output).ToContainTextAsync("click me");
            (await page.EvaluateAsync<string?>("() => window.__xss ?? null")).ShouldBeNull();
        }
        finally
        {
            console.Server.Simulator.Responder = previous;
        }
    }
}
