using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Muster.Contracts.Runs;

namespace Muster.Cli.Commands;

/// <summary><c>muster runs watch ID</c>: a run's events live (SSE), from the first, until the run ends.</summary>
internal static class RunsWatchCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<Guid>("ID") { Description = "The run" };
        var after = new Option<long>("--after") { Description = "Start after this event sequence (default: from the first event)", HelpName = "SEQ" };
        var command = new Command("watch", "Follow a run's events live until it ends (one JSON object per line with --json)") { id, after };
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var last = (RunEventDto?)null;
            await foreach (var runEvent in context.Client().StreamRunEventsAsync(parse.GetValue(id).ToString(), parse.GetValue(after), cancellationToken))
            {
                last = runEvent;
                if (context.Json)
                {
                    context.WriteJsonLine(runEvent, MusterJsonContext.Default.RunEventDto);
                }
                else
                {
                    context.Line(EventText.Describe(runEvent));
                }
            }

            return last?.Type == "crew_kickoff_failed" ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }
}
