using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Muster.Contracts.Amp;
using Muster.Core.Crews;
using Muster.Server.Crews;
using Muster.Server.Hosting;
using Muster.Server.Tokens;

namespace Muster.Server.Amp;

/// <summary>
/// The crew an AMP route addresses (<c>{crew}</c>, or the root crew at the root routes) and who asks. A crew that does not
/// exist or that the caller's token does not cover answers the AMP 404 (<see cref="AmpErrors.CrewNotFound"/>) before the
/// handler runs, and before anything of the request's body is read.
/// </summary>
internal sealed class AmpCrew : RouteBinding, IBindableFromHttpContext<AmpCrew>
{
    private readonly CrewDefinition? _crew;

    private AmpCrew(MusterPrincipal principal, CrewDefinition? crew, JsonHttpResult<ErrorResponse>? refusal)
        : base(refusal)
    {
        Principal = principal;
        _crew = crew;
    }

    public MusterPrincipal Principal { get; }

    public CrewDefinition Crew => _crew ?? throw Refused();

    public static ValueTask<AmpCrew?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult<AmpCrew?>(Resolve(context));

    /// <summary>The addressed crew, or its refusal.</summary>
    internal static AmpCrew Resolve(HttpContext context)
    {
        var principal = PrincipalOf(context);
        var catalog = context.RequestServices.GetRequiredService<CrewCatalog>();
        var crew = CrewRoute.Resolve(context, catalog, principal, out var requested);
        return crew is null
            ? new AmpCrew(principal, null, AmpErrors.CrewNotFound(catalog, principal, requested))
            : new AmpCrew(principal, crew, null);
    }
}
