using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.Telemetry;

/// <summary>The server as a process, logging JSON to its console: the lines logged while a run executes name it.</summary>
public sealed class RunLogScopeTests : ServerProcessTest
{
    private readonly string _token = "mst_log_scope_test_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task JsonConsoleLogs_OfARun_CarryItsRunIdCrewAndTraceId()
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), _token);
        settings["Logging:Console:FormatterName"] = "json";
        settings["Logging:Console:FormatterOptions:IncludeScopes"] = "true";
        settings["Logging:LogLevel:Muster"] = "Information";
        await using var server = await MusterServerProcess.StartAsync(settings, Folder.Path);
        var caller = TracedServer.CallerContext();
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
        client.DefaultRequestHeaders.Add("traceparent", caller.Header);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "logs" });
        await client.WaitForFinishAsync(id);

        var line = await Eventually.Until(
            () => Task.FromResult(server.Output.Select(Parse).FirstOrDefault(json => json?["Message"]?.GetValue<string>() == $"Executing run {id} of crew research")),
            json => json is not null,
            "the server never logged the run's execution as JSON");
        var scope = line!["Scopes"]!.AsArray().OfType<JsonObject>().Single(s => s["RunId"] is not null);
        scope["RunId"]!.GetValue<string>().ShouldBe(id.ToString());
        scope["Crew"]!.GetValue<string>().ShouldBe("research");
        scope["TraceId"]!.GetValue<string>().ShouldBe(caller.TraceId.ToHexString());
    }

    private static JsonObject? Parse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
