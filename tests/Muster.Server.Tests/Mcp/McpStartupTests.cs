using Microsoft.Extensions.Options;
using Muster.Testing;

namespace Muster.Server.Tests.Mcp;

public sealed class McpStartupTests
{
    [Fact]
    public async Task Start_WithAConfiguredMcpServerHavingBothUrlAndCommand_FailsNamingIt()
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(() => MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Mcp:Servers:search:Url"] = "https://mcp.example.com/mcp",
                ["Muster:Mcp:Servers:search:Command"] = "npx",
            },
        }));

        ex.Message.ShouldContain("Muster:Mcp:Servers:search");
    }
}
