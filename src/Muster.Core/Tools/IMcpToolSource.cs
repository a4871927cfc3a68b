using Microsoft.Extensions.AI;
using Muster.Core.Crews;

namespace Muster.Core.Tools;

/// <summary>
/// Where agents get the tools of their MCP servers (<c>mcps</c>, <c>use_default_mcps</c>). Muster.Tools.Mcp provides it
/// (<c>services.AddMusterMcpTools()</c>); without it, a task whose agent names MCP servers fails and says so.
/// </summary>
public interface IMcpToolSource
{
    /// <summary>A session for one run of <paramref name="crew"/>; the engine disposes it when the run ends.</summary>
    IMcpToolSession OpenSession(CrewDefinition crew);
}

/// <summary>The MCP connections of one run; disposing closes them.</summary>
public interface IMcpToolSession : IAsyncDisposable
{
    /// <summary>The MCP tools of <paramref name="agent"/>: those of its <c>mcps</c>, then, with <c>use_default_mcps</c>, the host's.</summary>
    /// <exception cref="InvalidOperationException">A server is malformed, refused, or fails to start; the message names it.</exception>
    Task<IReadOnlyList<AIFunction>> ToolsForAsync(AgentDefinition agent, CancellationToken cancellationToken);
}

/// <summary>The MCP source of a host that did not add MCP: it has no servers of its own and starts none an agent names.</summary>
internal sealed class NoMcpToolSource : IMcpToolSource
{
    public IMcpToolSession OpenSession(CrewDefinition crew) => Session.Instance;

    // Apart from the source: a singleton that is only IAsyncDisposable would stop the container's synchronous Dispose.
    private sealed class Session : IMcpToolSession
    {
        public static readonly Session Instance = new();

        public Task<IReadOnlyList<AIFunction>> ToolsForAsync(AgentDefinition agent, CancellationToken cancellationToken) => agent.Mcps.Count == 0
            ? Task.FromResult<IReadOnlyList<AIFunction>>([])
            : throw new InvalidOperationException($"Agent '{agent.Key}' names MCP servers, and this host has no MCP support (services.AddMusterMcpTools()).");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
