using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests;

public sealed class LegacyModeTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?> { ["Muster:Compat:Legacy"] = "true" },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Inputs_InLegacyMode_IsAnObjectOfNameToDescription()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        var (status, body) = await client.GetJsonAsync("/inputs");
        status.ShouldBe(HttpStatusCode.OK);
        body["inputs"].ShouldBeOfType<JsonObject>().ContainsKey("topic").ShouldBeTrue();
    }

    [Fact]
    public async Task Status_InLegacyMode_HasStateAndAStringResult()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "legacy" });

        var done = await client.WaitForStatusAsync(id, s => s["state"]!.GetValue<string>() is "SUCCESS" or "FAILED");

        done["state"]!.GetValue<string>().ShouldBe("SUCCESS", done.ToJsonString());
        done["result"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        done["last_step"]!["task_id"]!.GetValue<string>().ShouldBe("report_task");
        // The writer's role is folded YAML ("role: >"), which ends in a newline; the status shows it trimmed.
        done["last_step"]!["agent"]!.GetValue<string>().ShouldBe("legacy Writer");
    }
}
