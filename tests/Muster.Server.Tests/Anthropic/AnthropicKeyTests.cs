using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Anthropic;

/// <summary>An <c>anthropic/</c> model with no key configured anywhere.</summary>
public sealed class AnthropicKeyTests
{
    [Fact]
    public async Task ClaudeCrew_WithoutAKey_FailsTheRunSayingWhereTheKeyGoes_AndCallsNobody()
    {
        // The fallback is ANTHROPIC_API_KEY: with it set in this process the test could not see the missing key.
        Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY").ShouldBeNullOrEmpty("unset ANTHROPIC_API_KEY to run this test");
        await using var claude = await AnthropicStandIn.StartAsync();
        await using var server = await AnthropicCrews.StartServerAsync(claude, withKey: false);
        using var client = server.CreateClient(server.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, "/crews/claude");
        var done = await client.WaitForFinishAsync(id, "/crews/claude");

        done["status"]!.GetValue<string>().ShouldBe("error", done.ToJsonString());
        var (_, run) = await client.GetJsonAsync($"/api/crew-runs/{id}");
        var error = run["error"]!.GetValue<string>();
        error.ShouldContain("No API key for LLM provider 'anthropic'");
        error.ShouldContain("ANTHROPIC_API_KEY");
        error.ShouldContain("Muster:Llm:Providers:anthropic:ApiKey");
        claude.Requests.ShouldBeEmpty();
    }
}
