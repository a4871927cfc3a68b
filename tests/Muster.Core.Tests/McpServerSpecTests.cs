using System.Text.Json.Nodes;
using Muster.Core.Crews;
using Muster.Tools.Mcp;

namespace Muster.Core.Tests;

public sealed class McpServerSpecTests
{
    [Fact]
    public void Parse_UrlWithFragment_IsStreamableHttpWithOneToolAndNoSecretInItsName()
    {
        var spec = McpServerSpec.Parse(JsonValue.Create("https://mcp.example.com/mcp?api_key=s3cret#get_forecast"));

        spec.Transport.ShouldBe(McpTransport.StreamableHttp);
        spec.Url!.ToString().ShouldBe("https://mcp.example.com/mcp?api_key=s3cret");
        spec.ToolFilter.ShouldBe(["get_forecast"]);
        spec.Name.ShouldBe("https://mcp.example.com/mcp");
        (spec.Allows("get_forecast"), spec.Allows("other")).ShouldBe((true, false));
    }

    [Fact]
    public void Parse_UrlWithCredentials_KeepsThemOutOfItsName() =>
        McpServerSpec.Parse(JsonValue.Create("https://me:pw@mcp.example.com:8443/mcp")).Name.ShouldBe("https://mcp.example.com:8443/mcp");

    [Fact]
    public void Parse_StdioObject_KeepsCommandArgsEnvAndFilter()
    {
        var spec = McpServerSpec.Parse(JsonNode.Parse("""{"command":"npx","args":["-y","server"],"env":{"KEY":"v"},"tool_filter":["a"]}"""));

        (spec.Transport, spec.Command, spec.Name).ShouldBe((McpTransport.Stdio, "npx", "npx -y"));
        spec.Args.ShouldBe(["-y", "server"]);
        spec.Env["KEY"].ShouldBe("v");
        spec.ToolFilter.ShouldBe(["a"]);
    }

    [Fact]
    public void Parse_SseObject_UsesSse()
    {
        var spec = McpServerSpec.Parse(JsonNode.Parse("""{"name":"events","url":"http://localhost:9/sse","transport":"sse","headers":{"Authorization":"Bearer x"}}"""));

        (spec.Transport, spec.Name, spec.Headers["Authorization"]).ShouldBe((McpTransport.Sse, "events", "Bearer x"));
    }

    [Theory]
    [InlineData("\"crewai-amp:financial-data\"", "absolute http or https URL")]
    [InlineData("{\"url\":\"http://x/mcp\",\"command\":\"npx\"}", "exactly one of 'url'")]
    [InlineData("{\"command\":\"npx\",\"headers\":{}}", "apply to URL servers")]
    [InlineData("{\"url\":\"http://x/mcp\",\"transport\":\"carrier-pigeon\"}", "'streamable-http' or 'sse'")]
    [InlineData("{\"command\":\"npx\",\"tool_filter\":\"a\"}", "list of strings")]
    [InlineData("{\"command\":\"npx\",\"cwd\":\"/\"}", "unknown MCP server field 'cwd'")]
    [InlineData("42", "a URL or an object")]
    public void Parse_Malformed_SaysWhatIsWrong(string json, string message) =>
        Should.Throw<FormatException>(() => McpServerSpec.Parse(JsonNode.Parse(json))).Message.ShouldContain(message);

    [Fact]
    public void LoadFolder_MalformedMcps_IsAnErrorNamingTheAgent()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", "writer:\n  role: Writer\n  goal: Write\n  backstory: B\n  mcps:\n    - \"crewai-amp:x\"\n");
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");

        var error = CrewLoader.LoadFolder(folder.Path).Errors.ShouldHaveSingleItem();

        error.Message.ShouldContain("agent 'writer': mcps:");
    }

    [Fact]
    public void LoadFolder_ValidMcps_LoadWithoutWarnings()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", "writer:\n  role: Writer\n  goal: Write\n  backstory: B\n  mcps:\n    - https://mcp.example.com/mcp#search\n    - command: npx\n      args: [\"-y\", \"@modelcontextprotocol/server-filesystem\"]\n      tool_filter: [read_file]\n");
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n");

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Diagnostics.ShouldBeEmpty();
        result.Crew!.Agents[0].Mcps.Select(McpServerSpec.Parse).Select(s => s.Transport).ShouldBe([McpTransport.StreamableHttp, McpTransport.Stdio]);
    }

    [Fact]
    public void McpOptions_ServerWithBothUrlAndCommand_FailsValidationNamingTheKey()
    {
        var options = new McpOptions { Servers = { ["both"] = new McpServerOptions { Url = "http://x/mcp", Command = "npx" }, ["ok"] = new McpServerOptions { Url = "http://x/mcp" } } };

        var result = new McpOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.Failures.ShouldHaveSingleItem().ShouldContain("Muster:Mcp:Servers:both");
    }
}
