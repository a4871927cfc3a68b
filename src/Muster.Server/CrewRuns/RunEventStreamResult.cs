using Muster.Storage;

namespace Muster.Server.CrewRuns;

/// <summary>An SSE answer: streams a run's events after <paramref name="AfterSequence"/> until the run ends or the client leaves.</summary>
internal sealed record RunEventStreamResult(RunRecord Run, long AfterSequence) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<RunEventStream>()
            .StreamAsync(httpContext.Response, Run, AfterSequence, httpContext.RequestAborted);
}
