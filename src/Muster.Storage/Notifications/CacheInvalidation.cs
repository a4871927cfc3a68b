namespace Muster.Storage.Notifications;

/// <summary>What a node's caches must forget: a revoked token's principal, a deleted run, every finished run, or everything.</summary>
public sealed record CacheInvalidation(CacheInvalidationKind Kind, string? Id = null)
{
    /// <summary>Every cached finished run (after a retention purge).</summary>
    public static readonly CacheInvalidation AllRuns = new(CacheInvalidationKind.AllRuns);

    /// <summary>Everything cached (invalidations may have been missed, e.g. while a LISTEN connection was down).</summary>
    public static readonly CacheInvalidation Everything = new(CacheInvalidationKind.Everything);

    public static CacheInvalidation Token(string tokenId) => new(CacheInvalidationKind.Token, tokenId);

    public static CacheInvalidation Run(Guid runId) => new(CacheInvalidationKind.Run, runId.ToString("N"));
}

public enum CacheInvalidationKind
{
    /// <summary><see cref="CacheInvalidation.Id"/> is a token id.</summary>
    Token,

    /// <summary><see cref="CacheInvalidation.Id"/> is a run id (32 hex digits).</summary>
    Run,

    AllRuns,
    Everything,
}
