using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Client;
using Muster.Contracts;
using Muster.Contracts.Runs;
using Spectre.Console;

namespace Muster.Cli.Commands;

/// <summary><c>muster runs list [--status S] [--crew NAME] [--limit N]</c>: run history, newest first, as a table.</summary>
internal static class RunsListCommand
{
    private const int MaxPage = 1000;

    public static Command Create(GlobalOptions globals)
    {
        var status = new Option<string?>("--status") { Description = "Only runs with this status (stopped: the failed runs a stop ended)", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong("pending", "running", "completed", "failed", "stopped");
        var crew = new Option<string?>("--crew") { Description = "Only runs of this crew", HelpName = "NAME" };
        var limit = new Option<int>("--limit") { Description = "At most this many runs", HelpName = "N", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--limit must be at least 1.");
            }
        });
        var command = new Command("list", "Runs, newest first") { status, crew, limit };
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var max = parse.GetValue(limit);
            var query = new RunListQuery { Status = parse.GetValue(status), CrewType = parse.GetValue(crew), Limit = Math.Min(max, MaxPage) };
            var runs = new List<CrewRunRecord>();
            await foreach (var run in context.Client().ListAllRunsAsync(query, cancellationToken))
            {
                runs.Add(run);
                if (runs.Count == max)
                {
                    break;
                }
            }

            return context.Show<IReadOnlyList<CrewRunRecord>>(runs, MusterJsonContext.Default.IReadOnlyListCrewRunRecord, answer =>
            {
                var table = Tables.Create("ID", "CREW", "STATUS", "CREATED", "OWNER", "TOKENS");
                foreach (var run in answer)
                {
                    table.AddRow(Tables.Cells(
                        run.Id, run.CrewType ?? "(ad hoc)", run.Status, run.CreatedAt, run.OwnerId,
                        run.TokenUsage is { } usage ? Display.Count(usage.TotalTokens) : "-"));
                }

                context.Out.Write(table);
            });
        }));
        return command;
    }
}
