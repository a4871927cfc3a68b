using Muster.Server.Amp;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Runs;

/// <summary>
/// Whether a caller may see a run: the one check every read of a run for a caller applies (<see cref="RunService.FindAsync"/>,
/// <see cref="RunService.ListAsync"/> and <see cref="RunStatusReader"/>, its caches included). A run the caller may not see
/// does not exist for it: the routes answer 404, never 403.
/// </summary>
internal static class RunAccess
{
    /// <summary>
    /// The principal's own rule (<see cref="MusterPrincipal.CanAccess"/>: its crews, and a user token only its own runs) and,
    /// on a crew's AMP routes (<paramref name="crew"/> not null), only that crew's runs. An ad-hoc run is no crew's, even when
    /// its request named it after one: it is reached through /api/crew-runs only.
    /// </summary>
    public static bool Allows(MusterPrincipal principal, RunRecord run, string? crew) =>
        principal.CanAccess(run) && (crew is null || (!run.AdHoc && string.Equals(run.CrewName, crew, StringComparison.Ordinal)));
}
