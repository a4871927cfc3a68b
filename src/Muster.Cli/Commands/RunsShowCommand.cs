using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Muster.Contracts.Runs;

namespace Muster.Cli.Commands;

/// <summary><c>muster runs show ID</c>: one run's record, its task outputs and token usage.</summary>
internal static class RunsShowCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<Guid>("ID") { Description = "The run" };
        var command = new Command("show", "One run: record, task outputs, usage") { id };
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var run = await context.Client().GetRunAsync(parse.GetValue(id).ToString(), cancellationToken);
            return context.Show(run, MusterJsonContext.Default.CrewRunRecord, answer => Print(context, answer));
        }));
        return command;
    }

    private static void Print(CliContext context, CrewRunRecord run)
    {
        var fields = new (string Name, string? Value)[]
        {
            ("run", run.Id), ("crew", run.CrewType ?? "(ad hoc)"), ("status", run.Status), ("owner", run.OwnerId),
            ("correlation id", run.CorrelationId), ("created", run.CreatedAt), ("started", run.StartedAt), ("completed", run.CompletedAt),
            ("inputs", run.TaskInput?.ToJsonString()), ("tokens", run.TokenUsage is { } usage ? Display.Tokens(usage) : null), ("error", run.Error),
        };
        foreach (var (name, value) in fields.Where(f => f.Value is not null))
        {
            context.Line($"{name + ":",-16} {value}");
        }

        foreach (var task in run.Tasks ?? [])
        {
            context.Line();
            context.Line($"== {task.Task} ({Display.OneLine(task.Agent)}, {Display.Seconds(task.ExecutionTime)}, {Display.Tokens(task.TokenUsage)} tokens)");
            context.Line(task.Output ?? string.Empty);
        }

        if (run.Result is { } result)
        {
            context.Line();
            context.Line("== result");
            context.Line(result);
        }
    }
}
