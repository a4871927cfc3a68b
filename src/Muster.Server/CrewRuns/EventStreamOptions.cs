using System.ComponentModel.DataAnnotations;

namespace Muster.Server.CrewRuns;

/// <summary><c>Muster:EventStream</c>: live (SSE) event streams.</summary>
public sealed class EventStreamOptions
{
    public const string Section = "Muster:EventStream";

    /// <summary>
    /// How long a stream may stay silent before a comment line is sent; keeps proxies from closing idle
    /// connections and bounds how late a missed bus notification is noticed (the store is re-read then).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events read from the store per round trip.</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 500;
}
