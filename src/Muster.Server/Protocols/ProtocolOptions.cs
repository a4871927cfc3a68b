using System.ComponentModel.DataAnnotations;

namespace Muster.Server.Protocols;

/// <summary><c>Muster:</c> settings of the agent protocols.</summary>
public sealed class ProtocolOptions
{
    public const string Section = "Muster";

    /// <summary>
    /// The server's address as clients reach it (e.g. behind a proxy), for the URLs in A2A agent cards; the request's scheme
    /// and host when unset.
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// <c>Muster:McpStateless</c>: serve MCP without sessions (every node answers any request; no elicitation). By default
    /// clients of the 2025-11-25 protocol get a session, and later clients are served statelessly.
    /// </summary>
    public bool McpStateless { get; set; }
}
