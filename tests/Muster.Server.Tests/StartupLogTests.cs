using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Server.Tokens;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// What a real server process says in its log at start, and what it says per request: misconfiguration is named at start,
/// and requests do not bury it.
/// </summary>
public sealed class StartupLogTests : ServerProcessTest
{

    [Fact]
    public async Task AnEmptyStoreWithoutBootstrapToken_AndNoLlmProvider_AreBothNamedAtStart_WithWhatToSet()
    {
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), "unused-bootstrap-token");
        settings.Remove("Muster:Auth:BootstrapToken");
        settings.Remove("Muster:Llm:DefaultModel");
        settings.Remove("Muster:Llm:Providers:openai:BaseUrl");
        settings.Remove("Muster:Llm:Providers:openai:ApiKey");
        // The openai provider's fallbacks must not come from the machine running the tests.
        settings["OPENAI_API_KEY"] = null;
        settings["OPENAI_BASE_URL"] = null;

        await using var server = await MusterServerProcess.StartAsync(settings, Folder.Path);
        using var client = server.CreateClient("mst_anything");
        var refused = await client.GetAsync("/inputs");

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var log = string.Join('\n', server.Output);
        log.ShouldContain($"No token exists in the SQLite store {Folder.Combine("muster.db")}");
        log.ShouldContain($"muster tokens create --kind org --connection-string \"Data Source={Folder.Combine("muster.db")}\"");
        log.ShouldContain("Muster:Auth:BootstrapToken");
        log.ShouldContain("LLM provider 'openai' cannot be used");
        log.ShouldContain("Muster:Llm:Providers:openai:ApiKey");
        log.ShouldContain("Muster:Llm:DefaultModel");
        log.ShouldContain("--simulated-llm");
        log.ShouldContain("crew research");
    }

    [Fact]
    public async Task ABootstrapTokenOfAnEarlierStart_StillWorks_IsNamedAtStart_AndCanBeRevoked()
    {
        var earlier = "mst_earlier_bootstrap_" + Guid.NewGuid().ToString("N");
        var current = "mst_current_bootstrap_" + Guid.NewGuid().ToString("N");
        await using (var first = await MusterServerProcess.StartAsync(TestSettings.For(Folder, Simulator.BaseUrl.ToString(), earlier), Folder.Path))
        {
            await first.KillAsync();
        }

        await using var server = await MusterServerProcess.StartAsync(TestSettings.For(Folder, Simulator.BaseUrl.ToString(), current), Folder.Path);
        using var withEarlier = server.CreateClient(earlier);
        using var withCurrent = server.CreateClient(current);
        // Bootstrap ids are random: the start-up log names the earlier token, and the current one is the other bootstrap token.
        var currentId = (await withCurrent.GetFromJsonAsync<JsonArray>("/api/tokens"))!
            .Select(t => t!["id"]!.GetValue<string>()).Where(id => id.StartsWith("tok_bootstrap_", StringComparison.Ordinal)).ToList();
        var earlierId = System.Text.RegularExpressions.Regex.Match(string.Join('\n', server.Output), @"from earlier starts still work \((tok_bootstrap_[0-9a-f]+)\)").Groups[1].Value;
        earlierId.ShouldNotBeEmpty(string.Join('\n', server.Output));
        currentId.ShouldContain(earlierId);

        var beforeRevoke = await withEarlier.GetAsync("/inputs");
        var revoke = await withCurrent.DeleteAsync($"/api/tokens/{earlierId}");
        var afterRevoke = await withEarlier.GetAsync("/inputs");

        beforeRevoke.StatusCode.ShouldBe(HttpStatusCode.OK);
        revoke.IsSuccessStatusCode.ShouldBeTrue(revoke.StatusCode.ToString());
        afterRevoke.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var log = string.Join('\n', server.Output);
        log.ShouldContain($"1 bootstrap token(s) from earlier starts still work ({earlierId})");
        log.ShouldContain("muster tokens revoke ID --store");
        log.ShouldNotContain("tok_bootstrap_" + TokenService.Hash(current)[..12]);
    }

    [Fact]
    public async Task Requests_AreNotLoggedByDefault_AndTheServerSaysNothingItNeedNot()
    {
        var token = "mst_quiet_" + Guid.NewGuid().ToString("N");
        var server = await MusterServerProcess.StartAsync(TestSettings.For(Folder, Simulator.BaseUrl.ToString(), token), Folder.Path);
        await using (server)
        {
            using var client = server.CreateClient(token);
            (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await client.GetAsync("/crews/nope/inputs")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            // A graceful stop flushes the console log, so what is absent below was never written.
            (await server.TerminateAsync(Eventually.ProcessLimit)).ShouldBeTrue();
        }

        var log = string.Join('\n', server.Output);
        log.ShouldContain("Loaded crew research");
        log.ShouldNotContain("/inputs");
        log.ShouldNotContain("Request starting");
        log.ShouldNotContain("Executing endpoint");
        log.ShouldNotContain("No token exists");
        log.ShouldNotContain("cannot be used");
    }

    [Fact]
    public async Task Requests_WithMusterLoggingRequests_AreOneLineEach()
    {
        var token = "mst_loud_" + Guid.NewGuid().ToString("N");
        var settings = TestSettings.For(Folder, Simulator.BaseUrl.ToString(), token);
        settings["Muster:Logging:Requests"] = "true";
        await using var server = await MusterServerProcess.StartAsync(settings, Folder.Path);
        using var client = server.CreateClient(token);

        (await client.GetAsync("/crews/research/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/crews/nope/inputs")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await Eventually.Until(() => server.Output.Any(l => l.Contains("GET /crews/nope/inputs 404", StringComparison.Ordinal)), "the 404 was never logged");

        server.Output.Count(l => l.Contains("/crews/research/inputs", StringComparison.Ordinal)).ShouldBe(1);
        server.Output.ShouldContain(l => l.Contains("GET /crews/research/inputs 200 in ", StringComparison.Ordinal));
        server.Output.ShouldNotContain(l => l.Contains("Request starting", StringComparison.Ordinal));
        server.Output.ShouldNotContain(l => l.Contains(token, StringComparison.Ordinal));
    }
}
