using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Muster.Contracts.Amp;
using Muster.Server.Hosting;

namespace Muster.Server.Amp;

/// <summary>
/// The status of the run an AMP route names by <c>{kickoff_id}</c>, read for the caller by <see cref="RunStatusReader"/>
/// (from its caches when it may). Refused as <see cref="AmpRun"/> is: the crew's 404 first, then the execution's.
/// </summary>
internal sealed class AmpRunStatus : RouteBinding, IBindableFromHttpContext<AmpRunStatus>
{
    private readonly StatusBody? _body;

    private AmpRunStatus(StatusBody? body, JsonHttpResult<ErrorResponse>? refusal)
        : base(refusal) => _body = body;

    public StatusBody Body => _body ?? throw Refused();

    public static async ValueTask<AmpRunStatus?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var crew = AmpCrew.Resolve(context);
        if (crew.Refusal is { } refusal)
        {
            return new AmpRunStatus(null, refusal);
        }

        var id = RouteValue(context, AmpRun.Parameter);
        var body = Guid.TryParse(id, out var runId)
            ? await context.RequestServices.GetRequiredService<RunStatusReader>().ReadAsync(crew.Principal, runId, crew.Crew.Name, context.RequestAborted)
            : null;
        return body is null ? new AmpRunStatus(null, AmpErrors.ExecutionNotFound(id)) : new AmpRunStatus(body, null);
    }
}
