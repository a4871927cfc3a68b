using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Muster.Contracts.Amp;

namespace Muster.Cli.Commands;

/// <summary><c>muster status ID</c>: the AMP status of a run (running, completed with its output, or error).</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<Guid>("ID") { Description = "The run (kickoff) id" };
        var crew = RunClients.CrewOption();
        var command = new Command("status", "The status of a run") { id, crew };
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var runId = parse.GetValue(id);
            var client = await RunClients.ForRunAsync(context, runId, parse.GetValue(crew), cancellationToken);
            var status = await client.GetStatusAsync(runId, cancellationToken);
            return context.Show(status, MusterJsonContext.Default.StatusResponse, answer => Print(context, runId, answer));
        }));
        return command;
    }

    private static void Print(CliContext context, Guid runId, StatusResponse status)
    {
        var fields = new List<(string, string)> { ("run", runId.ToString()), ("status", status.State is null ? status.Status : $"{status.Status} ({status.State})") };
        if (status.Progress is { } progress)
        {
            fields.Add(("progress", $"{progress.CompletedTasks}/{progress.TotalTasks} tasks"));
        }

        if (status.CurrentTask is { } task)
        {
            fields.Add(("current task", task));
        }

        if (status.PendingHumanInput is { } pending)
        {
            fields.Add(("awaiting review", $"{pending.TaskId}: {Display.ResumeCommand(runId, pending.TaskId)}"));
        }

        if (status.ExecutionTime is { } seconds)
        {
            fields.Add(("execution time", Display.Seconds(seconds)));
        }

        if (status.TokenUsage is { } usage)
        {
            fields.Add(("tokens", Display.Tokens(usage)));
        }

        if (status.Error is { } error)
        {
            fields.Add(("error", error));
        }

        foreach (var (name, value) in fields)
        {
            context.Line($"{name + ":",-16} {value}");
        }

        if (status.Result is { } result)
        {
            foreach (var taskResult in result.Tasks)
            {
                context.Line($"{"task:",-16} {taskResult.TaskId} ({Display.OneLine(taskResult.Agent)}, {Display.Seconds(taskResult.ExecutionTime)})");
            }

            context.Line();
            context.Line(result.Output);
        }
    }
}
