using System.Net;
using System.Net.Http.Json;
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

    [Fact]
    public async Task TokenWithTheDocumentedShape_OnALegacyServer_GetsTheDocumentedShape()
    {
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var created = await org.PostAsJsonAsync("/api/tokens", new JsonObject { ["kind"] = "org", ["status_shape"] = "documented" });
        var (_, token) = await created.ReadJsonAsync();
        using var documented = _server.CreateClient(token["token"]!.GetValue<string>());
        var id = await documented.KickoffAsync(new JsonObject { ["topic"] = "per token" });

        var done = await Eventually.Until(async () => (await documented.GetJsonAsync($"/status/{id}")).Body, s => !s.Is("running"), "the run never finished");
        var (_, inputs) = await documented.GetJsonAsync("/inputs");
        var (_, legacy) = await org.GetJsonAsync($"/status/{id}");

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        done["result"]!["output"]!.GetValue<string>().ShouldBe(legacy["result"]!.GetValue<string>());
        inputs["inputs"].ShouldBeOfType<JsonArray>();
        legacy["state"]!.GetValue<string>().ShouldBe("SUCCESS");
    }
}
