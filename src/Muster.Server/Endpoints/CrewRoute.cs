using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts.Amp;
using Muster.Core.Crews;
using Muster.Server.Auth;
using Muster.Server.Crews;
using Muster.Storage;

namespace Muster.Server.Endpoints;

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
        var crew = requested is null ? catalog.RootCrew : catalog.Find(requested);
        return crew is not null && principal.CoversCrew(crew.Name) ? crew : null;
    }

    /// <summary>
    /// Whether <paramref name="run"/> is a run of <paramref name="crew"/>, so that the crew's routes serve it. An ad-hoc run is
    /// not, even when its request named it after the crew: it is reached through /api/crew-runs only.
    /// </summary>
    public static bool Serves(CrewDefinition crew, RunRecord run) => !run.AdHoc && run.CrewName == crew.Name;

    /// <summary>
    /// The prologue of an AMP call with a body (kickoff, resume): the addressed crew and the JSON body, or the AMP error
    /// to answer instead (404 for the crew, checked first; then 415, 413 or 400 for the body).
    /// </summary>
    public static async Task<((CrewDefinition Crew, T Body)? Call, JsonHttpResult<ErrorResponse>? Error)> ReadAsync<T>(
        HttpContext context, CrewCatalog catalog, MusterPrincipal principal, JsonTypeInfo<T> body, CancellationToken cancellationToken)
        where T : class
    {
        var crew = Resolve(context, catalog, principal, out var requested);
        if (crew is null)
        {
            return (null, AmpErrors.CrewNotFound(catalog, principal, requested));
        }

        var (request, error) = await RequestBody.ReadJsonAsync(context.Request, body, cancellationToken);
        return request is null ? (null, error) : ((crew, request), null);
    }
}
