using Muster.Storage;

namespace Muster.Server.Auth;

/// <summary>
/// Who is calling, from the bearer token. Organization tokens act on every run of the crews they cover;
/// user tokens only on runs they started (others answer 404).
/// </summary>
public sealed record MusterPrincipal(string TokenId, TokenKind Kind, string? UserId, IReadOnlyList<string> Crews)
{
    /// <summary>The owner id recorded on runs this principal starts: the user id, or <c>org:{tokenId}</c>.</summary>
    public string OwnerId => Kind == TokenKind.User ? UserId! : $"org:{TokenId}";

    public bool IsOrganization => Kind == TokenKind.Organization;

    public bool CoversCrew(string crewName) => Crews.Count == 0 || Crews.Contains(crewName, StringComparer.Ordinal);

    /// <summary>
    /// Whether this principal may see and act on <paramref name="run"/>. An ad-hoc run belongs to no deployed crew, whatever
    /// name its request gave it: only a token limited to no crews (one that may start ad-hoc runs) covers it.
    /// </summary>
    public bool CanAccess(RunRecord run) =>
        (run.AdHoc ? Crews.Count == 0 : CoversCrew(run.CrewName))
        && (IsOrganization || string.Equals(run.OwnerId, OwnerId, StringComparison.Ordinal));

    /// <summary>
    /// Binds the authenticated caller as an endpoint parameter. Every route but the health checks requires a token,
    /// so the principal is always present where a handler asks for it.
    /// </summary>
    public static ValueTask<MusterPrincipal?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items[typeof(MusterPrincipal)] as MusterPrincipal);
}
