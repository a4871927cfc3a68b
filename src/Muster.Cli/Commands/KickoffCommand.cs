using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Muster.Contracts.Amp;

namespace Muster.Cli.Commands;

/// <summary>
/// <c>muster kickoff --input key=value … [--inputs-file f.json] [--crew NAME] [--wait]</c>: starts a run; with
/// <c>--wait</c>, follows it live to its end (exit 0 when it completes, 1 when it fails).
/// </summary>
internal static class KickoffCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var input = new Option<string[]>("--input", "-i") { Description = "An input as key=value (repeat for several; values are strings)", HelpName = "KEY=VALUE" };
        var inputsFile = new Option<FileInfo?>("--inputs-file") { Description = "A JSON object of inputs; --input values win over it", HelpName = "FILE" };
        var crew = new Option<string?>("--crew") { Description = "The crew (default: the server's root crew)", HelpName = "NAME" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Follow the run live until it ends; exit 0 when it completes, 1 when it fails" };
        var command = new Command("kickoff", "Start a run of a crew") { input, inputsFile, crew, wait };
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var inputs = InputValues.Build(parse.GetValue(inputsFile), parse.GetValue(input) ?? []);
            var client = context.Client(parse.GetValue(crew));
            var kickoff = await client.KickoffAsync(new KickoffRequest { Inputs = inputs }, cancellationToken: cancellationToken);
            if (parse.GetValue(wait))
            {
                await context.Error.WriteLineAsync($"Started run {kickoff.KickoffId}.");
                return await RunWaiter.WaitAsync(context, client, kickoff.KickoffId, cancellationToken);
            }

            return context.Show(kickoff, MusterJsonContext.Default.KickoffResponse, answer =>
            {
                // The id alone on stdout, so that `id=$(muster kickoff …)` works; the hint is for people.
                context.Line(answer.KickoffId.ToString());
                context.Error.WriteLine($"Started. Follow it with: muster status {answer.KickoffId}  (or: muster runs watch {answer.KickoffId})");
            });
        }));
        return command;
    }
}
