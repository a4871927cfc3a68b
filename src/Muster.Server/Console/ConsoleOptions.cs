using System.ComponentModel.DataAnnotations;

namespace Muster.Server.Console;

/// <summary>The <c>Muster:Console</c> section: the web console's sessions.</summary>
internal sealed class ConsoleOptions
{
    public const string Section = "Muster:Console";

    /// <summary>How long a sign-in lasts; the session then ends whatever the browser does with its cookie.</summary>
    [Range(1, 10_080)]
    public int SessionMinutes { get; set; } = 480;

    /// <summary>
    /// Where the keys that seal session cookies and anti-forgery tokens are kept. Nodes that serve one console behind a
    /// load balancer must share this folder; unset, ASP.NET Core's default key folder of the user is used.
    /// </summary>
    public string? KeysPath { get; set; }

    public TimeSpan SessionLifetime => TimeSpan.FromMinutes(SessionMinutes);
}
