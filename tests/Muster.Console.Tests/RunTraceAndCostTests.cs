using System.Text;
using System.Text.Json.Nodes;
using Muster.Testing;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

/// <summary>The run page shows what the telemetry and the cost accounting know of a run: its trace and its cost.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RunTraceAndCostTests(ConsoleServer console)
{
    [Fact]
    public async Task ARunKickedOffInACallersTrace_ShowsThatTraceIdAndItsCost()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var topic = "traced-" + Guid.NewGuid().ToString("N")[..8];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/crews/research/kickoff")
        {
            Content = new StringContent(new JsonObject { ["inputs"] = new JsonObject { ["topic"] = topic } }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        using var response = await console.Api.SendAsync(request);
        var runId = Guid.Parse(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["kickoff_id"]!.GetValue<string>());
        await Eventually.Until(async () => await console.StatusAsync(runId) == "completed", "the run never completed");

        var page = await console.SignedInPageAsync(console.Server.BootstrapToken);
        await page.GotoAsync($"/ui/runs/{runId:N}");

        await Expect(page.Locator(".facts .trace")).ToHaveTextAsync(traceId);
        await Expect(page.Locator(".facts .cost")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\$0\.[0-9]+$"));
    }
}
