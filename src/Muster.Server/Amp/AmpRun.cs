using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Muster.Contracts.Amp;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Amp;

/// <summary>
/// The run an AMP route names by <c>{kickoff_id}</c>, found for the caller among the runs of the route's crew
/// (<see cref="RunService.FindAsync"/>). The crew's 404 comes first (<see cref="AmpCrew"/>); then a kickoff_id that is not a
/// run id, or names a run that does not exist, that the caller may not see or that is of another crew, answers
/// <see cref="AmpErrors.ExecutionNotFound"/>.
/// </summary>
internal sealed class AmpRun : RouteBinding, IBindableFromHttpContext<AmpRun>
{
    public const string Parameter = "kickoff_id";

    private readonly AmpCrew? _crew;
    private readonly RunRecord? _run;

    private AmpRun(AmpCrew? crew, RunRecord? run, JsonHttpResult<ErrorResponse>? refusal)
        : base(refusal)
    {
        _crew = crew;
        _run = run;
    }

    public MusterPrincipal Principal => (_crew ?? throw Refused()).Principal;

    public RunRecord Run => _run ?? throw Refused();

    public static async ValueTask<AmpRun?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var crew = AmpCrew.Resolve(context);
        if (crew.Refusal is { } refusal)
        {
            return new AmpRun(null, null, refusal);
        }

        var id = RouteValue(context, Parameter);
        var runs = context.RequestServices.GetRequiredService<RunService>();
        var run = await runs.FindAsync(crew.Principal, id, crew.Crew.Name, context.RequestAborted);
        return run is null ? new AmpRun(null, null, AmpErrors.ExecutionNotFound(id)) : new AmpRun(crew, run, null);
    }
}
