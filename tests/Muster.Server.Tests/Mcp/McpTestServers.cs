using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Mcp;

/// <summary>
/// A Muster server with crews whose agents use MCP servers: the stdio test server (<c>tests/Muster.McpStdioServer</c>),
/// a streamable-HTTP (and legacy SSE) server hosted here on loopback, one that cannot start, and the stdio server again as a default
/// (<c>Muster:Mcp:Servers:weather</c>). The simulator calls every MCP tool it is offered, then answers with the results.
/// </summary>
public sealed class McpTestServers : IAsyncLifetime
{
    /// <summary>The arguments the simulated LLM passes to each MCP tool it knows.</summary>
    private static readonly Dictionary<string, string> ToolArguments = new(StringComparer.Ordinal)
    {
        ["get_weather"] = """{"city":"Oslo"}""",
        ["read_env"] = $$"""{"names":"MUSTER_MCP_GREETING,{{SecretVariable}}"}""",
        ["lookup"] = """{"term":"muster"}""",
        ["shout"] = """{"text":"quiet please"}""",
    };

    /// <summary>Set in Muster's own environment, where LLM keys live; a stdio server must not see it.</summary>
    public const string SecretVariable = "MUSTER_MCP_TEST_SECRET";

    private WebApplication _httpMcp = null!;
    private long _toolListings;

    public MusterServerFixture Server { get; private set; } = null!;

    /// <summary>How many <c>tools/list</c> requests the HTTP MCP server has answered.</summary>
    public long ToolListings => Interlocked.Read(ref _toolListings);

    /// <summary>The streamable-HTTP MCP endpoint hosted by this fixture.</summary>
    public string HttpMcpUrl { get; private set; } = "";

    /// <summary><c>dotnet</c> and the stdio server's dll, built beside this test project.</summary>
    public static string StdioServerDll => Path.Combine(
        AppContext.BaseDirectory.Replace("Muster.Server.Tests", "Muster.McpStdioServer", StringComparison.Ordinal), "Muster.McpStdioServer.dll");

    public async Task InitializeAsync()
    {
        File.Exists(StdioServerDll).ShouldBeTrue($"the stdio MCP test server is built at {StdioServerDll}");
        Environment.SetEnvironmentVariable(SecretVariable, "must-not-leak");
        _httpMcp = await StartHttpMcpServerAsync();
        HttpMcpUrl = _httpMcp.Urls.First() + "/mcp";
        Server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            WriteCrews = WriteCrews,
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Mcp:Servers:weather:Command"] = "dotnet",
                ["Muster:Mcp:Servers:weather:Args:0"] = StdioServerDll,
                ["Muster:Mcp:Servers:weather:ToolFilter:0"] = "get_weather",
                ["Muster:Mcp:ConnectTimeoutSeconds"] = "60",
            },
        });
        Server.Simulator.Responder = CallMcpToolsThenAnswer;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await _httpMcp.DisposeAsync();
    }

    public HttpClient Org() => Server.CreateClient(Server.BootstrapToken);

    /// <summary>Offered tools it knows are called (all at once); once their results are in, they are the final answer.</summary>
    private static SimulatedReply? CallMcpToolsThenAnswer(SimulatedRequest request)
    {
        var results = request.Messages.Where(m => m.Role == "tool").Select(m => m.Content).ToList();
        if (results.Count > 0)
        {
            return SimulatedReply.Text("Final answer: " + string.Join(" | ", results));
        }

        var calls = request.ToolNames.Where(ToolArguments.ContainsKey).Select(name => new SimulatedToolCall(name, ToolArguments[name])).ToArray();
        return calls.Length > 0 ? SimulatedReply.ToolCalls(calls) : null;
    }

    private async Task<WebApplication> StartHttpMcpServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer()
#pragma warning disable MCP9004 // Legacy SSE is obsolete for servers; it is on here so Muster's SSE client is tested against a real one.
            .WithHttpTransport(options =>
            {
                options.Stateless = false;
                options.EnableLegacySse = true;
            })
#pragma warning restore MCP9004
            .WithTools(
            [
                McpServerTool.Create(
                    (string term) => $"'{term}' is a self-hosted crew server (from the HTTP MCP server).",
                    new McpServerToolCreateOptions { Name = "lookup", Description = "Looks a term up." }),
                McpServerTool.Create(
                    (string text) => text.ToUpperInvariant(),
                    new McpServerToolCreateOptions { Name = "shout", Description = "Upper-cases a text." }),
            ]);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                context.Request.EnableBuffering();
                var body = await new StreamReader(context.Request.Body, leaveOpen: true).ReadToEndAsync();
                context.Request.Body.Position = 0;
                if (body.Contains("\"tools/list\"", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _toolListings);
                }
            }

            await next(context);
        });
        app.MapMcp("/mcp");
        await app.StartAsync();
        return app;
    }

    private void WriteCrews(string path)
    {
        WriteOneAgentCrew(path, "stdio_weather", $$"""
              mcps:
                - command: dotnet
                  args: ["{{StdioServerDll}}"]
                  env:
                    MUSTER_MCP_GREETING: hello from env
            """);
        WriteOneAgentCrew(path, "http_fragment", $"""
              mcps:
                - "{HttpMcpUrl}#lookup"
            """);
        WriteOneAgentCrew(path, "http_filtered", $"""
              mcps:
                - url: "{HttpMcpUrl}"
                  tool_filter: [shout]
            """);
        WriteOneAgentCrew(path, "http_sse", $"""
              mcps:
                - url: "{HttpMcpUrl}/sse"
                  transport: sse
                  tool_filter: [lookup]
            """);
        TestCrews.Write(path, "http_two_tasks", "name: http_two_tasks", $"""
            first:
              role: "First"
              goal: "Look things up"
              backstory: "Curious."
              mcps: ["{HttpMcpUrl}#lookup"]
            second:
              role: "Second"
              goal: "Shout things"
              backstory: "Loud."
              mcps:
                - url: "{HttpMcpUrl}"
                  tool_filter: [shout]
            """, """
            look_up:
              description: "Look it up."
              expected_output: "A fact."
              agent: first
            shout_it:
              description: "Shout it."
              expected_output: "A shout."
              agent: second
            """);
        WriteOneAgentCrew(path, "broken_mcp", """
              mcps:
                - name: missing-weather-server
                  command: /nonexistent/muster-no-such-mcp-server
            """);
        WriteOneAgentCrew(path, "default_mcps", """
              use_default_mcps: true
            """);
    }

    private static void WriteOneAgentCrew(string path, string name, string agentExtra) => TestCrews.Write(
        path,
        name,
        $"name: {name}",
        """
        assistant:
          role: "Assistant"
          goal: "Answer with the tools"
          backstory: "Uses tools well."

        """ + agentExtra,
        """
        answer_task:
          description: "Answer the question using your tools."
          expected_output: "The tools' answers."
          agent: assistant
        """);
}
