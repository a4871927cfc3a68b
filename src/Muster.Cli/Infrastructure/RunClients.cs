using System.CommandLine;
using System.Net;
using Muster.Client;

namespace Muster.Cli.Infrastructure;

/// <summary>
/// The AMP routes of a run live under its crew (<c>/crews/{crew}/status/{id}</c>); a person knows the run id, not
/// always its crew. Without <c>--crew</c>, Muster's history API says which crew ran it; a plain AMP server, which has
/// no such API, is asked at its root routes.
/// </summary>
internal static class RunClients
{
    public static Option<string?> CrewOption() => new("--crew")
    {
        Description = "The crew (default: the run's crew, looked up on the server, or the root routes)",
        HelpName = "NAME",
    };

    public static async Task<MusterClient> ForRunAsync(CliContext context, Guid runId, string? crew, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(crew))
        {
            return context.Client(crew);
        }

        try
        {
            var run = await context.Client().GetRunAsync(runId.ToString(), cancellationToken);
            return context.Client(run.CrewType);
        }
        catch (MusterApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            // Not Muster, or an id it does not know: the AMP route answers with its own error.
            return context.Client();
        }
    }
}
