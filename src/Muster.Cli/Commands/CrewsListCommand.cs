using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Spectre.Console;

namespace Muster.Cli.Commands;

/// <summary><c>muster crews list</c>: the crews the server serves (<c>GET /api/crews</c>).</summary>
internal static class CrewsListCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("list", "The crews deployed on the server");
        command.SetAction(CommandRunner.Action(globals, async (context, _, cancellationToken) =>
        {
            var crews = await context.Client().ListCrewsAsync(cancellationToken);
            return context.Show(crews, MusterJsonContext.Default.IReadOnlyListCrewInfo, answer =>
            {
                var table = Tables.Create("NAME", "PROCESS", "INPUTS", "TASKS", "DESCRIPTION");
                foreach (var crew in answer)
                {
                    table.AddRow(Tables.Cells(crew.Name, crew.Process, string.Join(", ", crew.Inputs), string.Join(", ", crew.Tasks), crew.Description ?? string.Empty));
                }

                context.Out.Write(table);
            });
        }));
        return command;
    }
}
