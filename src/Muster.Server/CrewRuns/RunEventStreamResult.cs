using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.CrewRuns;

/// <summary>
/// An SSE answer: streams a run's events after <paramref name="AfterSequence"/> until the run ends, the client leaves, or
/// the token of <paramref name="Principal"/> is revoked.
/// </summary>
internal sealed record RunEventStreamResult(RunRecord Run, long AfterSequence, MusterPrincipal Principal) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var revoked = httpContext.RequestServices.GetRequiredService<TokenRevocations>().WhenRevoked(Principal.TokenId);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, revoked);
        try
        {
            await httpContext.RequestServices.GetRequiredService<RunEventStream>().StreamAsync(httpContext.Response, Run, AfterSequence, ending.Token);
        }
        catch (OperationCanceledException) when (revoked.IsCancellationRequested && !httpContext.RequestAborted.IsCancellationRequested)
        {
            // The stream simply ends; a reconnection with the revoked token is refused.
        }
    }
}
