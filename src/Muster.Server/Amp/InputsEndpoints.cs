using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Muster.Contracts.Amp;
using Muster.Server.Hosting;

namespace Muster.Server.Amp;

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

    private static Results<Ok<InputsResponse>, JsonHttpResult<LegacyInputsResponse>> GetInputs(AmpCrew crew, IOptions<MusterOptions> options)
    {
        if (crew.Principal.UsesLiveShape(options.Value.Compat.Legacy))
        {
            return TypedResults.Json(new LegacyInputsResponse(crew.Crew.Inputs.ToDictionary(name => name, name => $"The '{name}' input of {crew.Crew.Name}")));
        }

        return TypedResults.Ok(new InputsResponse(crew.Crew.Inputs));
    }
}
