using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Muster.Contracts.Amp;
using Muster.Server.Amp;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Storage;

namespace Muster.Server.CrewRuns;

/// <summary>
/// The run a <c>/api/crew-runs/{id}</c> route names, of any crew (ad-hoc runs too), found for the caller
/// (<see cref="RunService.FindAsync"/>); an id that names no run the caller may see answers
/// <see cref="AmpErrors.ExecutionNotFound"/>.
/// </summary>
internal sealed class CrewRunRoute : RouteBinding, IBindableFromHttpContext<CrewRunRoute>
{
    public const string Parameter = "id";

    private readonly RunRecord? _run;

    private CrewRunRoute(RunRecord? run, JsonHttpResult<ErrorResponse>? refusal)
        : base(refusal) => _run = run;

    public RunRecord Run => _run ?? throw Refused();

    public static async ValueTask<CrewRunRoute?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var principal = PrincipalOf(context);
        var id = RouteValue(context, Parameter);
        var run = await context.RequestServices.GetRequiredService<RunService>().FindAsync(principal, id, crew: null, context.RequestAborted);
        return run is null ? new CrewRunRoute(null, AmpErrors.ExecutionNotFound(id)) : new CrewRunRoute(run, null);
    }
}
