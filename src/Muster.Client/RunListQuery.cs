using Muster.Contracts.Runs;

namespace Muster.Client;

/// <summary>Filters and paging of <c>GET /api/crew-runs</c>; null fields are not sent.</summary>
public sealed record RunListQuery
{
    /// <summary>
    /// <c>pending</c>, <c>running</c>, <c>completed</c> or <c>failed</c>; or <c>stopped</c>, Muster's filter for the <c>failed</c>
    /// runs that a stop ended.
    /// </summary>
    public string? Status { get; init; }

    /// <summary>The crew's name.</summary>
    public string? CrewType { get; init; }

    /// <summary>The correlation id given when the run was created.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Only runs created after this instant.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only runs created before this instant.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Only runs of this owner (organization tokens only).</summary>
    public string? OwnerId { get; init; }

    /// <summary>Page size.</summary>
    public int? Limit { get; init; }

    /// <summary>The <see cref="RunListPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of run history; <paramref name="NextCursor"/> is null on the last page.</summary>
public sealed record RunListPage(IReadOnlyList<CrewRunRecord> Runs, string? NextCursor);
