using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Muster.Core.Crews;

namespace Muster.Tools.Mcp;

/// <summary><c>Muster:Mcp</c>: the MCP servers agents with <c>use_default_mcps: true</c> get, and connection limits.</summary>
public sealed class McpOptions
{
    /// <summary>The configuration section the server binds these options from.</summary>
    public const string Section = "Muster:Mcp";

    /// <summary>Servers by name, each with <c>Url</c> or <c>Command</c>.</summary>
    public Dictionary<string, McpServerOptions> Servers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long starting a server and listing its tools may take before the task fails.</summary>
    [Range(1, 600)]
    public int ConnectTimeoutSeconds { get; set; } = 30;

    /// <summary>The configured servers as specs (call after validation).</summary>
    public IReadOnlyList<McpServerSpec> DefaultServers() =>
        [.. Servers.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value.ToSpec(s.Key))];
}

/// <summary>One server of <c>Muster:Mcp:Servers</c>: an HTTP server (<see cref="Url"/>) or a process (<see cref="Command"/>).</summary>
public sealed class McpServerOptions
{
    /// <summary>The server's HTTP endpoint (give this or <see cref="Command"/>).</summary>
    public string? Url { get; set; }

    /// <summary><c>streamable-http</c> (default) or <c>sse</c>, for <see cref="Url"/>.</summary>
    public string? Transport { get; set; }

    /// <summary>Headers sent with every request to <see cref="Url"/>.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The program to start as a stdio server (give this or <see cref="Url"/>).</summary>
    public string? Command { get; set; }

    /// <summary>The arguments of <see cref="Command"/>.</summary>
    public List<string> Args { get; set; } = [];

    /// <summary>Environment variables of the process, on top of a minimal set (Muster's own environment is not passed on).</summary>
    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The tools agents get from this server; empty gives all.</summary>
    public List<string> ToolFilter { get; set; } = [];

    internal McpServerSpec ToSpec(string name)
    {
        var entry = new JsonObject { ["name"] = name };
        if (Url is not null)
        {
            entry["url"] = Url;
            entry["transport"] = Transport;
            entry["headers"] = Object(Headers);
        }

        if (Command is not null)
        {
            entry["command"] = Command;
            entry["args"] = Array(Args);
            entry["env"] = Object(Env);
        }

        if (ToolFilter.Count > 0)
        {
            entry["tool_filter"] = Array(ToolFilter);
        }

        // One parser for both sources, so a configured server obeys exactly the rules an agents.yaml entry does.
        return McpServerSpec.Parse(entry);
    }

    private static JsonArray Array(List<string> items) => [.. items.Select(item => (JsonNode?)item)];

    private static JsonObject Object(Dictionary<string, string> map) => new(map.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value)));
}

/// <summary>Checks every configured server at start, naming the key to fix.</summary>
internal sealed class McpOptionsValidator : IValidateOptions<McpOptions>
{
    public ValidateOptionsResult Validate(string? name, McpOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, server) in options.Servers)
        {
            if (server is null)
            {
                failures.Add($"{McpOptions.Section}:Servers:{key} is empty; give it Url or Command.");
                continue;
            }

            try
            {
                server.ToSpec(key);
            }
            catch (FormatException ex)
            {
                failures.Add($"{McpOptions.Section}:Servers:{key}: {ex.Message} (set Url or Command, not both).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
