using System.CommandLine;
using Muster.Cli.Commands;
using Muster.Cli.Infrastructure;

namespace Muster.Cli;

/// <summary>The command tree of <c>muster</c>, and how a command line is parsed and run.</summary>
internal static class MusterCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var globals = new GlobalOptions();
        var root = Build(globals);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            return CommandRunner.FailUsage(parse, string.Join(Environment.NewLine + "error: ", parse.Errors.Select(e => e.Message)));
        }

        return await parse.InvokeAsync(new InvocationConfiguration
        {
            // Commands that care (kickoff --wait, serve) handle Ctrl-C themselves; the rest end at once, as a CLI should.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        });
    }

    public static RootCommand Build(GlobalOptions globals)
    {
        var root = new RootCommand("muster: run, watch and manage CrewAI crews on a Muster server.");
        globals.AddTo(root);
        root.Add(ServeCommand.Create());
        root.Add(Group("crews", "Crew definitions", CrewsValidateCommand.Create(globals), CrewsListCommand.Create(globals)));
        root.Add(InputsCommand.Create(globals));
        root.Add(KickoffCommand.Create(globals));
        root.Add(StatusCommand.Create(globals));
        root.Add(ResumeCommand.Create(globals));
        root.Add(StopCommand.Create(globals));
        root.Add(Group("runs", "Run history and live events",
            RunsListCommand.Create(globals), RunsShowCommand.Create(globals), RunsWatchCommand.Create(globals)));
        root.Add(UsageCommand.Create(globals));
        root.Add(Group("tokens", "Bearer tokens, through the API or directly in the store",
            TokensCreateCommand.Create(globals), TokensListCommand.Create(globals), TokensRevokeCommand.Create(globals)));
        root.Add(Group("db", "The run store", DbMigrateCommand.Create(globals)));
        return root;
    }

    private static Command Group(string name, string description, params Command[] verbs)
    {
        var group = new Command(name, description);
        foreach (var verb in verbs)
        {
            group.Add(verb);
        }

        return group;
    }

    /// <summary><c>muster runs list</c>: the command a parse result is about, for usage hints.</summary>
    public static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? "muster" : result.Command.Name);
        }

        return string.Join(' ', names);
    }
}
