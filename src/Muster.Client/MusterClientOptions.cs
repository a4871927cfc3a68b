namespace Muster.Client;

/// <summary>Where the Muster (or any CrewAI AMP-compatible) server is and how to authenticate.</summary>
public sealed class MusterClientOptions
{
    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:8080/");

    /// <summary>The bearer token sent as <c>Authorization: Bearer …</c>; null sends none.</summary>
    public string? Token { get; set; }

    /// <summary>When set, the AMP calls (inputs, kickoff, status, resume, stop) go to <c>/crews/{Crew}/…</c>.</summary>
    public string? Crew { get; set; }

    /// <summary>Wait before reconnecting a dropped event stream (a server's <c>retry:</c> field overrides it).</summary>
    public TimeSpan StreamReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many reconnects in a row without receiving an event before the event stream gives up.</summary>
    public int StreamMaxReconnects { get; set; } = 5;
}
