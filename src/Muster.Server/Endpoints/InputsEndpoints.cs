using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Muster.Contracts.Amp;
using Muster.Server.Auth;
using Muster.Server.Crews;
using Muster.Server.Hosting;

namespace Muster.Server.Endpoints;

/// <summary><c>GET /inputs</c>: the crew's placeholders.</summary>
internal static class InputsEndpoints
{
    public static RouteGroupBuilder MapInputs(this RouteGroupBuilder group, string routePrefix)
    {
        group.MapGet("/inputs", GetInputs)
            .WithName(CrewRoute.OperationId(routePrefix, "listInputs"))
            .WithSummary("List the inputs the crew expects")
            .WithDescription("Exactly the crew's placeholders. In the live shape (the token's status_shape, else Muster:Compat:Legacy) an object of name to description.");
        return group;
    }

    private static Results<Ok<InputsResponse>, JsonHttpResult<LegacyInputsResponse>, JsonHttpResult<ErrorResponse>> GetInputs(
        HttpContext context, MusterPrincipal principal, CrewCatalog catalog, IOptions<MusterOptions> options)
    {
        var crew = CrewRoute.Resolve(context, catalog, principal, out var requested);
        if (crew is null)
        {
            return AmpErrors.CrewNotFound(catalog, principal, requested);
        }

        if (principal.UsesLiveShape(options.Value.Compat.Legacy))
        {
            return TypedResults.Json(new LegacyInputsResponse(crew.Inputs.ToDictionary(name => name, name => $"The '{name}' input of {crew.Name}")));
        }

        return TypedResults.Ok(new InputsResponse(crew.Inputs));
    }
}
