using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Runs;

internal sealed partial class RunService
{
    /// <summary>
    /// The usage report over the runs the principal may see, as <see cref="MusterPrincipal.CanAccess"/> decides: a user
    /// token's own runs, a token limited to some crews those crews' runs (ad-hoc runs excluded).
    /// </summary>
    public Task<IReadOnlyList<UsageGroup>> GetUsageAsync(MusterPrincipal principal, UsageQuery query, CancellationToken cancellationToken) =>
        store.GetUsageAsync(
            query with { OwnerId = principal.IsOrganization ? null : principal.OwnerId, Crews = principal.Crews },
            cancellationToken);
}
