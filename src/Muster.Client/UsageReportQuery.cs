namespace Muster.Client;

/// <summary>The question of <see cref="MusterClient.GetUsageAsync"/>; every part is optional.</summary>
public sealed record UsageReportQuery
{
    /// <summary>The window's start, inclusive; the server's default is <see cref="To"/> minus 7 days.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>The window's end, exclusive; the server's default is now.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary><c>crew</c> (the server's default), <c>model</c>, <c>owner</c> or <c>day</c> (UTC).</summary>
    public string? GroupBy { get; init; }
}
