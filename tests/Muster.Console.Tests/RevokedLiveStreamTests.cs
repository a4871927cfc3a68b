using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Muster.Testing;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

/// <summary>A page left open on a live run stops showing it the moment its token is revoked, without any click.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RevokedLiveStreamTests(ConsoleServer console)
{
    [Fact]
    public async Task RevokingTheToken_EndsTheLiveStreamOfAnOpenRunPage_WhichGoesToSignIn()
    {
        var topic = "revoked-" + Guid.NewGuid().ToString("N")[..8];
        using var hold = AnswerHold.About(console.Server.Simulator, topic);
        var (secret, id) = await console.CreateTokenAsync(new JsonObject { ["kind"] = "org", ["name"] = "watching" });
        var runId = await console.KickoffAsync("research", new JsonObject { ["topic"] = topic });
        await hold.WaitForCallAsync();
        var page = await console.SignedInPageAsync(secret);
        await page.GotoAsync($"/ui/runs/{runId:N}");
        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("running");

        using var revoke = await console.Api.DeleteAsync($"/api/tokens/{id}");
        revoke.StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // Nothing is clicked: the open stream ends, its reconnection is refused, and the page sends the viewer to sign in.
        await Expect(page).ToHaveURLAsync(new Regex("/ui/login"), new() { Timeout = (float)Eventually.ProcessLimit.TotalMilliseconds });
        hold.Release();
    }
}
