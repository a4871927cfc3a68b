using System.Text.Json.Nodes;

namespace Muster.Core.Crews;

/// <summary>How Muster talks to an MCP server.</summary>
public enum McpTransport
{
    /// <summary>Streamable HTTP (a plain URL in <c>mcps:</c>).</summary>
    StreamableHttp,

    /// <summary>The older HTTP with Server-Sent Events transport.</summary>
    Sse,

    /// <summary>A local process started by Muster, spoken to over its standard input and output.</summary>
    Stdio,
}

/// <summary>
/// One MCP server an agent uses: an entry of its <c>mcps:</c> list or a server configured on Muster
/// (<c>Muster:Mcp:Servers</c>). <see cref="Parse"/> reads the agents.yaml forms.
/// </summary>
public sealed record McpServerSpec
{
    /// <summary>Names the server in messages: the configured name, or the URL without credentials or query (which may hold a key), or the command.</summary>
    public required string Name { get; init; }

    /// <summary>How Muster talks to the server.</summary>
    public McpTransport Transport { get; init; }

    /// <summary>The server's URL for the HTTP transports.</summary>
    public Uri? Url { get; init; }

    /// <summary>Headers sent with every HTTP request (an API key, for example).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The program to start for <see cref="McpTransport.Stdio"/>.</summary>
    public string? Command { get; init; }

    /// <summary>The arguments of <see cref="Command"/>.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Environment variables for the process, on top of a minimal set (PATH, HOME, ...); Muster's own environment is not passed on.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>The names of the tools the agent gets; null gives every tool of the server.</summary>
    public IReadOnlyList<string>? ToolFilter { get; init; }

    /// <summary>Whether the tool <paramref name="name"/> passes <see cref="ToolFilter"/>.</summary>
    public bool Allows(string name) => ToolFilter is null || ToolFilter.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Reads an agents.yaml <c>mcps</c> entry: a URL string (streamable HTTP; <c>#tool_name</c> keeps one tool), or an object
    /// with <c>url</c> (and optional <c>transport</c>: <c>streamable-http</c> or <c>sse</c>, <c>headers</c>) or <c>command</c>
    /// (with optional <c>args</c>, <c>env</c>), an optional <c>name</c>, and an optional <c>tool_filter</c> list of tool names.
    /// </summary>
    /// <exception cref="FormatException">The entry is none of these; the message says what is wrong.</exception>
    public static McpServerSpec Parse(JsonNode? entry) => entry switch
    {
        JsonValue value when value.TryGetValue<string>(out var url) => FromUrl(url, McpTransport.StreamableHttp, name: null),
        JsonObject fields => FromObject(fields),
        _ => throw new FormatException("an MCP server must be a URL or an object with 'url' or 'command'"),
    };

    private static McpServerSpec FromObject(JsonObject fields)
    {
        var known = new HashSet<string>(["name", "url", "transport", "headers", "command", "args", "env", "tool_filter"], StringComparer.Ordinal);
        if (fields.Select(f => f.Key).FirstOrDefault(key => !known.Contains(key)) is { } unknown)
        {
            throw new FormatException($"unknown MCP server field '{unknown}' (fields: {string.Join(", ", known)})");
        }

        var name = Text(fields, "name");
        var url = Text(fields, "url");
        var command = Text(fields, "command");
        var toolFilter = fields["tool_filter"] is { } filter ? Strings(filter, "tool_filter") : null;
        if (url is not null == command is not null)
        {
            throw new FormatException("an MCP server needs exactly one of 'url' (HTTP) and 'command' (stdio)");
        }

        if (url is not null)
        {
            var transport = Text(fields, "transport")?.ToLowerInvariant() switch
            {
                null or "streamable-http" or "streamable_http" or "http" => McpTransport.StreamableHttp,
                "sse" => McpTransport.Sse,
                var other => throw new FormatException($"MCP transport must be 'streamable-http' or 'sse', not '{other}'"),
            };
            var spec = FromUrl(url, transport, name) with { Headers = Map(fields["headers"], "headers") };
            return toolFilter is null ? spec : spec with { ToolFilter = spec.ToolFilter is null ? toolFilter : [.. spec.ToolFilter.Intersect(toolFilter)] };
        }

        if (fields.ContainsKey("transport") || fields.ContainsKey("headers"))
        {
            throw new FormatException("'transport' and 'headers' apply to URL servers, not to 'command' ones");
        }

        var args = fields["args"] is { } argsNode ? Strings(argsNode, "args") : [];
        return new McpServerSpec
        {
            Name = name ?? string.Join(' ', [command!, .. args.Take(1)]),
            Transport = McpTransport.Stdio,
            Command = command,
            Args = args,
            Env = Map(fields["env"], "env"),
            ToolFilter = toolFilter,
        };
    }

    internal static McpServerSpec FromUrl(string text, McpTransport transport, string? name)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"MCP server URL '{Redact(text)}' must be an absolute http or https URL");
        }

        var tool = uri.Fragment.Length > 1 ? Uri.UnescapeDataString(uri.Fragment[1..]) : null;
        var endpoint = new UriBuilder(uri) { Fragment = "" }.Uri;
        return new McpServerSpec
        {
            Name = name ?? endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped),
            Transport = transport,
            Url = endpoint,
            ToolFilter = tool is null ? null : [tool],
        };
    }

    private static string Redact(string url)
    {
        var cut = url.IndexOfAny(['?', '#', '@']);
        return cut < 0 ? url : url[..cut];
    }

    private static string? Text(JsonObject fields, string key) => fields[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) => text,
        _ => throw new FormatException($"'{key}' must be a non-empty string"),
    };

    private static List<string> Strings(JsonNode node, string key) => node is JsonArray items
        ? [.. items.Select(item => item is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"'{key}' must be a list of strings"))]
        : throw new FormatException($"'{key}' must be a list of strings");

    private static Dictionary<string, string> Map(JsonNode? node, string key) => node switch
    {
        null => [],
        JsonObject map => map.ToDictionary(
            pair => pair.Key,
            pair => pair.Value is JsonValue v ? v.ToString() : throw new FormatException($"'{key}' values must be strings"),
            StringComparer.Ordinal),
        _ => throw new FormatException($"'{key}' must be a mapping of names to strings"),
    };
}
