using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using Muster.Core.Crews;
using Muster.Core.Tools;

namespace Muster.Tools.Mcp;

/// <summary>
/// The MCP connections of one run: each server is started (or connected to) the first time an agent needs it and its
/// tool list is fetched once; later agents of the run reuse both. Disposing closes every connection and stops every
/// process the session started.
/// </summary>
internal sealed partial class McpSession : IMcpToolSession
{
    private readonly IReadOnlyList<McpServerSpec> _defaults;
    private readonly Func<bool, HttpClient> _httpClient;
    private readonly bool _untrustedCrew;
    private readonly TimeSpan _connectTimeout;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    // Made when an agent first needs a server: most runs need none, and a run keeps its session for its whole life.
    private ConcurrentDictionary<string, Lazy<Task<McpConnection>>>? _connections;

    internal McpSession(
        IReadOnlyList<McpServerSpec> defaults, Func<bool, HttpClient> httpClient, bool untrustedCrew, TimeSpan connectTimeout, ILoggerFactory loggerFactory)
    {
        _defaults = defaults;
        _httpClient = httpClient;
        _untrustedCrew = untrustedCrew;
        _connectTimeout = connectTimeout;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<McpSession>();
    }

    /// <summary>
    /// The MCP tools of <paramref name="agent"/>: those of its <c>mcps</c>, then, with <c>use_default_mcps</c>, those of
    /// the configured servers, each through its tool filter.
    /// </summary>
    /// <exception cref="InvalidOperationException">A server is malformed, refused, or fails to start; the message names it.</exception>
    public async Task<IReadOnlyList<AIFunction>> ToolsForAsync(AgentDefinition agent, CancellationToken cancellationToken)
    {
        var servers = new List<(McpServerSpec Spec, bool Trusted)>();
        foreach (var entry in agent.Mcps)
        {
            McpServerSpec spec;
            try
            {
                spec = McpServerSpec.Parse(entry);
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"Agent '{agent.Key}' has an unusable MCP server: {ex.Message}.", ex);
            }

            if (_untrustedCrew && spec.Transport == McpTransport.Stdio)
            {
                // The API refuses these at kickoff; this holds even for a snapshot that got past it.
                throw new InvalidOperationException($"MCP server '{spec.Name}' is refused: crews given through the API may not start processes.");
            }

            servers.Add((spec, !_untrustedCrew));
        }

        if (agent.UseDefaultMcps)
        {
            servers.AddRange(_defaults.Select(spec => (spec, true)));
        }

        var tools = new List<AIFunction>();
        foreach (var (spec, trusted) in servers)
        {
            var connections = LazyInitializer.EnsureInitialized(ref _connections, () => new(StringComparer.Ordinal));
            var connection = await connections
                .GetOrAdd((trusted ? "trusted:" : "guarded:") + ConnectionKey(spec), _ => new(() => ConnectAsync(spec, trusted, cancellationToken)))
                .Value;
            tools.AddRange(connection.Tools.Where(tool => spec.Allows(tool.Name)));
        }

        return tools;
    }

    /// <summary>Closes every connection and stops every process the session started; a server that fails to close is logged, not thrown.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _connections) is not { } connections)
        {
            return;
        }

        foreach (var pending in connections.Values.Where(c => c.IsValueCreated))
        {
            try
            {
                await (await pending.Value).DisposeAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A server that failed to connect has nothing to close; one that fails to close must not fail the run.
                LogCloseFailed(_logger, ex);
            }
        }

        connections.Clear();
    }

    /// <summary>What identifies one connection in a run: servers equal in all but their tool filter share it.</summary>
    private static string ConnectionKey(McpServerSpec spec) => JsonSerializer.Serialize(new object?[]
    {
        spec.Transport.ToString(), spec.Url?.ToString(), spec.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).ToArray(),
        spec.Command, spec.Args, spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray(),
    });

    private async Task<McpConnection> ConnectAsync(McpServerSpec spec, bool trusted, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_connectTimeout);
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(
                CreateTransport(spec, trusted),
                new McpClientOptions
                {
                    ClientInfo = new() { Name = "muster", Version = "1.0" },
                    InitializationTimeout = _connectTimeout,
                    // The SDK's 5 s probe is shorter than a cold `dotnet`/`npx` start on a busy host; a server that answers the
                    // probe late then refuses the fallback handshake. Half the budget still leaves time for that fallback.
                    DiscoverProbeTimeout = _connectTimeout / 2,
                },
                _loggerFactory,
                timeout.Token);
            var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
            LogConnected(_logger, spec.Name, tools.Count);
            return new McpConnection(client, [.. tools.Select(tool => new McpToolFunction(tool))]);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            var reason = timeout.IsCancellationRequested ? $"no answer within {_connectTimeout.TotalSeconds:0} s" : Reason(ex);
            throw new InvalidOperationException($"MCP server '{spec.Name}' failed to start: {reason}", ex);
        }
    }

    private IClientTransport CreateTransport(McpServerSpec spec, bool trusted)
    {
        if (spec.Transport == McpTransport.Stdio)
        {
            // Only a minimal environment (PATH, HOME, ...) plus the server's own env: Muster's API keys stay in Muster.
            var environment = StdioClientTransportOptions.GetDefaultEnvironmentVariables();
            foreach (var (key, value) in spec.Env)
            {
                environment[key] = value;
            }

            return new StdioClientTransport(
                new StdioClientTransportOptions
                {
                    Name = spec.Name,
                    Command = spec.Command!,
                    Arguments = [.. spec.Args],
                    InheritEnvironmentVariables = false,
                    EnvironmentVariables = environment,
                },
                _loggerFactory);
        }

        return new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Name = spec.Name,
                Endpoint = spec.Url!,
                TransportMode = spec.Transport == McpTransport.Sse ? HttpTransportMode.Sse : HttpTransportMode.StreamableHttp,
                AdditionalHeaders = spec.Headers.ToDictionary(StringComparer.OrdinalIgnoreCase),
                ConnectionTimeout = _connectTimeout,
            },
            _httpClient(trusted),
            _loggerFactory,
            ownsHttpClient: false);
    }

    /// <summary>The innermost message: transports wrap the cause (a refused connection, a missing program) in generic ones.</summary>
    private static string Reason(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner == ex ? ex.Message : $"{ex.Message} ({inner.Message})";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server '{Server}' connected with {Count} tools")]
    private static partial void LogConnected(ILogger logger, string server, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing an MCP connection failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);

    private sealed record McpConnection(McpClient Client, IReadOnlyList<McpToolFunction> Tools) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Client.DisposeAsync();
    }
}
