using Muster.Storage;

namespace Muster.Server.Tokens;

/// <summary>
/// Who is calling, from the bearer token. Organization tokens act on every run of the crews they cover;
/// user tokens only on runs they started (others answer 404).
/// </summary>
/// <param name="ManageTokens">The token's <c>manage_tokens</c> right, as stored; see <see cref="MayManageTokens"/>.</param>
/// <param name="StatusShape">The status shape the token asked for; null follows the server's <c>Muster:Compat:Legacy</c>.</param>
public sealed record MusterPrincipal(
    string TokenId, TokenKind Kind, string? UserId, IReadOnlyList<string> Crews, bool ManageTokens = false, StatusShape? StatusShape = null)
{
    /// <summary>What the runs this token starts may spend per UTC day and month (<see cref="TokenAllowances"/>); null for no limit.</summary>
    public TokenLimits? Limits { get; init; }

    /// <summary>The owner id recorded on runs this principal starts: the user id, or <c>org:{tokenId}</c>.</summary>
    public string OwnerId => Kind == TokenKind.User ? UserId! : TokenRules.OrganizationOwnerPrefix + TokenId;

    public bool IsOrganization => Kind == TokenKind.Organization;

    /// <summary>
    /// Whether this principal may create, list and revoke tokens: an organization token that covers every crew and has the
    /// right. A row that says otherwise (edited by hand) grants nothing.
    /// </summary>
    public bool MayManageTokens => ManageTokens && IsOrganization && Crews.Count == 0;

    /// <summary>Whether this principal is answered in the live status and inputs shapes: its token's choice, else the server's.</summary>
    /// <param name="serverDefault">The server's <c>Muster:Compat:Legacy</c>.</param>
    public bool UsesLiveShape(bool serverDefault) => StatusShape switch
    {
        Storage.StatusShape.Live => true,
        Storage.StatusShape.Documented => false,
        _ => serverDefault,
    };

    public bool CoversCrew(string crewName) => Crews.Count == 0 || Crews.Contains(crewName, StringComparer.Ordinal);

    /// <summary>
    /// Whether this principal may see and act on <paramref name="run"/>. An ad-hoc run belongs to no deployed crew, whatever
    /// name its request gave it: only a token limited to no crews (one that may start ad-hoc runs) covers it.
    /// </summary>
    public bool CanAccess(RunRecord run) =>
        (run.AdHoc ? Crews.Count == 0 : CoversCrew(run.CrewName))
        && (IsOrganization || string.Equals(run.OwnerId, OwnerId, StringComparison.Ordinal));

    /// <summary>
    /// Binds the authenticated caller as an endpoint parameter. Every route but the health checks and the API's description requires a token,
    /// so the principal is always present where a handler asks for it.
    /// </summary>
    public static ValueTask<MusterPrincipal?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items[typeof(MusterPrincipal)] as MusterPrincipal);
}
