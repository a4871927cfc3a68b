using Muster.Core.Crews;
using Muster.Server.Crews;
using Muster.Server.Tokens;

namespace Muster.Server.Amp;

/// <summary>Which crew an AMP route addresses: the <c>{crew}</c> route value, or the root crew at the root routes.</summary>
internal static class CrewRoute
{
    public const string Parameter = "crew";

    /// <summary>
    /// The OpenAPI operation id of an AMP route: the spec's own id at the root (so workflows written against
    /// amp-openapi.yml, such as kickoff-and-poll.arazzo.yml, find them), prefixed with <c>crew</c> under /crews/{crew}.
    /// </summary>
    public static string OperationId(string routePrefix, string specOperationId) =>
        routePrefix == "Root" ? specOperationId : "crew" + char.ToUpperInvariant(specOperationId[0]) + specOperationId[1..];

    /// <summary>The addressed crew, or null when it does not exist or <paramref name="principal"/>'s token does not cover it.</summary>
    public static CrewDefinition? Resolve(HttpContext context, CrewCatalog catalog, MusterPrincipal principal, out string? requested)
    {
        requested = context.GetRouteValue(Parameter) as string;
        return catalog.Find(principal, requested);
    }
}
