namespace Muster.Server.CrewRuns;

/// <summary>An SSE answer: streams a run's events after <paramref name="AfterSequence"/> until the run ends or the client leaves.</summary>
internal sealed record RunEventStreamResult(Guid RunId, long AfterSequence) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<RunEventStream>()
            .StreamAsync(httpContext.Response, RunId, AfterSequence, httpContext.RequestAborted);
}
