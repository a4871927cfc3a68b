using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Contracts;

namespace Muster.Cli.Commands;

/// <summary><c>muster inputs [--crew NAME]</c>: the inputs a crew needs (<c>GET /inputs</c>).</summary>
internal static class InputsCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var crew = new Option<string?>("--crew") { Description = "The crew (default: the server's root crew)", HelpName = "NAME" };
        var command = new Command("inputs", "The inputs a crew needs") { crew };
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var inputs = await context.Client(parse.GetValue(crew)).GetInputsAsync(cancellationToken);
            return context.Show(inputs, MusterJsonContext.Default.InputsResponse, answer =>
            {
                foreach (var name in answer.Inputs)
                {
                    context.Line(name);
                }
            });
        }));
        return command;
    }
}
