using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Contracts;

namespace Muster.Cli.Commands;

/// <summary><c>muster stop ID</c>: stops a running or paused run (<c>POST /stop/{id}</c>).</summary>
internal static class StopCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<Guid>("ID") { Description = "The run to stop" };
        var crew = RunClients.CrewOption();
        var command = new Command("stop", "Stop a run") { id, crew };
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var runId = parse.GetValue(id);
            var client = await RunClients.ForRunAsync(context, runId, parse.GetValue(crew), cancellationToken);
            var response = await client.StopAsync(runId, cancellationToken);
            return context.Show(response, MusterJsonContext.Default.StopResponse, answer => context.Line($"Stopped run {answer.KickoffId}."));
        }));
        return command;
    }
}
