using Muster.Server.Hosting;

namespace Muster.Server.Amp;

/// <summary>
/// The AMP routes of every crew: under <c>/crews/{crew}</c>, and at the root for the root crew (the only crew, or
/// <c>Muster:DefaultCrew</c>), so that a Muster URL works like an AMP crew URL.
/// </summary>
public static class AmpEndpoints
{
    /// <summary>Maps the AMP resources on both route groups; <paramref name="mapMore"/> adds a feature's own AMP routes (for example /resume) to each.</summary>
    public static IEndpointRouteBuilder MapMusterAmp(this IEndpointRouteBuilder app, params Action<RouteGroupBuilder, string>[] mapMore)
    {
        MusterFeatures.Require(app, nameof(MapMusterAmp), MusterFeatures.Muster, MusterFeatures.Webhooks);
        var groups = new[]
        {
            (Group: app.MapGroup("/crews/{" + CrewRoute.Parameter + "}").WithTags("AMP (per crew)"), Prefix: "Crew"),
            (Group: app.MapGroup("").WithTags("AMP (root crew)"), Prefix: "Root"),
        };
        foreach (var (group, prefix) in groups)
        {
            group.RequireAuthorization();
            group.MapInputs(prefix).MapKickoff(prefix).MapStatus(prefix).MapStop(prefix);
            foreach (var map in mapMore)
            {
                map(group, prefix);
            }
        }

        return app;
    }
}
