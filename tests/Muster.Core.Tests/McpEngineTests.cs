using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Core.Engine;
using Muster.Core.Llm;
using Muster.Core.Tools;
using Muster.Tools.Mcp;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

/// <summary>The engine's own MCP guards, which hold even for a crew snapshot that got past the API's checks.</summary>
public sealed class McpEngineTests
{
    private static async Task<(RunOutcome Outcome, FakeChatClient Llm)> RunAdHocAsync(JsonNode mcp)
    {
        var llm = new FakeChatClient();
        var crew = Crew([Agent("a") with { Mcps = [mcp] }], Task("t", "a")) with { AdHoc = true };

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, new RecordingSink(), CancellationToken.None);

        return (outcome, llm);
    }

    [Fact]
    public async Task AdHocCrew_WithStdioServer_FailsWithoutStartingIt()
    {
        var (outcome, llm) = await RunAdHocAsync(JsonNode.Parse("""{"name":"local","command":"dotnet","args":["--info"]}""")!);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldContain("MCP server 'local' is refused: crews given through the API may not start processes");
        llm.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task AdHocCrew_WithUrlServer_IsRefusedWhenTheHostGivesNoNetworkGuard()
    {
        var (outcome, llm) = await RunAdHocAsync(JsonValue.Create("http://127.0.0.1:9/mcp"));

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldContain("MCP server 'http://127.0.0.1:9/mcp' failed to start");
        outcome.Error!.ShouldContain("network guard");
        llm.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task HostWithoutMcp_FailsTheTaskOfAnAgentThatNamesAServer_SayingWhatToAdd()
    {
        var llm = new FakeChatClient();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddMusterCore()
            .AddSingleton<ILlmClientProvider>(new FakeLlmProvider(llm))
            .BuildServiceProvider();
        var crew = Crew([Agent("a") with { Mcps = [JsonValue.Create("http://127.0.0.1:9/mcp")] }], Task("t", "a"));

        var outcome = await services.GetRequiredService<ICrewEngine>().RunAsync(Guid.NewGuid(), crew, RunCheckpoint.Empty, new RecordingSink(), CancellationToken.None);

        outcome.Kind.ShouldBe(RunOutcomeKind.Failed);
        outcome.Error!.ShouldContain("Agent 'a' names MCP servers, and this host has no MCP support (services.AddMusterMcpTools())");
        llm.Calls.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddMusterMcpTools_GivesTheEngineItsSessions_WhicheverIsAddedFirst(bool mcpFirst)
    {
        var services = new ServiceCollection().AddLogging();
        _ = mcpFirst ? services.AddMusterMcpTools().AddMusterCore() : services.AddMusterCore().AddMusterMcpTools();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IMcpToolSource>().ShouldBeOfType<McpToolSource>();
    }
}
