using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Muster.Server.Hosting;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>Start-up: options validation, crews that fail to load, the concurrency ceiling, the offline mode.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Start_WithAnInvalidExecutionOption_FailsNamingIt()
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(() => MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?> { ["Muster:Execution:MaxConcurrentRuns"] = "0" },
        }));
        ex.Message.ShouldContain("MaxConcurrentRuns");
    }

    [Theory]
    [InlineData("Muster:Auth:TokenCacheSeconds", "-1")]
    [InlineData("Muster:Auth:TokenCacheSeconds", "301")]
    [InlineData("Muster:Execution:FinishedRunCacheSize", "-1")]
    [InlineData("Muster:Execution:FinishedRunCacheSize", "1000001")]
    public async Task Start_WithAnOutOfRangeCacheOption_FailsNamingIt(string key, string value)
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(() => MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?> { [key] = value },
        }));
        ex.Message.ShouldContain(key[(key.LastIndexOf(':') + 1)..]);
    }

    [Fact]
    public async Task ConfigurationFiles_AreNotWatched_SoDatabaseWritesInTheContentRootWakeNothing()
    {
        await using var server = await MusterServerFixture.StartAsync();

        var root = (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>();
        var files = root.Providers.OfType<FileConfigurationProvider>().ToList();
        files.ShouldNotBeEmpty();
        files.ShouldAllBe(provider => !provider.Source.ReloadOnChange);
    }

    [Theory]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0" }, null, "--hostBuilder:reloadConfigOnChange=false")]
    [InlineData(new[] { "--hostBuilder:reloadConfigOnChange=true" }, null, null)]
    [InlineData(new[] { "--hostBuilder:reloadConfigOnChange", "true" }, null, null)]
    [InlineData(new string[0], "DOTNET_hostBuilder__reloadConfigOnChange", null)]
    [InlineData(new string[0], "ASPNETCORE_hostBuilder__reloadConfigOnChange", null)]
    public void HostDefaults_TurnConfigurationReloadOff_UnlessTheArgumentsOrTheEnvironmentSayOtherwise(string[] args, string? variable, string? added)
    {
        var result = MusterArgs.WithHostDefaults(args, name => name == variable ? "true" : null);

        if (added is null)
        {
            result.ShouldBe(args);
        }
        else
        {
            result.ShouldBe([added, .. args]);
        }
    }

    [Fact]
    public async Task Start_WithAnInvalidEngineOption_FailsNamingIt()
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(() => MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?> { ["Muster:Engine:OutputJsonMaxRetries"] = "-1" },
        }));
        ex.Message.ShouldContain("OutputJsonMaxRetries");
    }

    [Fact]
    public async Task EngineOptions_AreBoundFromMusterEngine_WithTheOutputRootFromMusterOutputs()
    {
        var outputs = Path.Combine(Path.GetTempPath(), "muster-tests", Guid.NewGuid().ToString("N"));
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?> { ["Muster:Engine:OutputJsonMaxRetries"] = "7", ["Muster:Outputs:Path"] = outputs },
        });

        var engine = server.Services.GetRequiredService<IOptions<Muster.Core.Engine.CrewEngineOptions>>().Value;
        engine.OutputJsonMaxRetries.ShouldBe(7);
        engine.OutputRoot.ShouldBe(outputs);
    }

    [Fact]
    public async Task Start_WithACrewThatFailsToLoad_ServesTheOthers()
    {
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            WriteCrews = path =>
            {
                TestCrews.WriteTwoTaskCrew(path);
                TestCrews.Write(path, "broken", "name: broken", "agent: [unclosed", "task:\n  description: no expected output");
            },
        });
        using var client = server.CreateClient(server.BootstrapToken);

        (await client.GetAsync("/crews/research/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/crews/broken/inputs")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // With the broken crew skipped, research is the only crew and also answers at the root.
        (await client.GetAsync("/inputs")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TenThousandConcurrentRuns_IsAValidCeiling_AndRunsComplete()
    {
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?> { ["Muster:Execution:MaxConcurrentRuns"] = "10000" },
        });
        using var client = server.CreateClient(server.BootstrapToken);

        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await client.KickoffAsync(new JsonObject { ["topic"] = $"wide {i}" }));
        }

        foreach (var id in ids)
        {
            (await client.WaitForFinishAsync(id))["status"]!.GetValue<string>().ShouldBe("completed");
        }
    }

    [Fact]
    public async Task SimulatedLlmFlag_AnswersFromTheBuiltInSimulator_AndSaysSo()
    {
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup { Args = ["--simulated-llm"] });
        using var client = server.CreateClient(server.BootstrapToken);

        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "offline" });
        var done = await client.WaitForFinishAsync(id);

        done["result"]!["output"]!.GetValue<string>().ShouldContain("Simulated");
        server.Simulator.Requests.ShouldBeEmpty("every provider must point at the built-in simulator, not the configured one");
    }
}
