using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

// stdout carries the protocol, so logs go to stderr.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.AddMcpServer()
    .WithStdioServerTransport()
    .WithTools(
    [
        McpServerTool.Create(
            (string city) => $"The weather in {city} is sunny, 21 degrees (from the stdio MCP server).",
            new McpServerToolCreateOptions { Name = "get_weather", Description = "Current weather in a city." }),
        McpServerTool.Create(
            (string names) => string.Join("; ", names.Split(',').Select(name => $"{name}={Environment.GetEnvironmentVariable(name) ?? "(not set)"}")),
            new McpServerToolCreateOptions { Name = "read_env", Description = "Environment variables of this server (comma-separated names)." }),
    ]);

await builder.Build().RunAsync();
