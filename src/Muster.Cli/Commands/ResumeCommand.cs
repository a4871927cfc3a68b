using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Muster.Contracts.Amp;

namespace Muster.Cli.Commands;

/// <summary><c>muster resume ID --task T (--approve | --retry) --feedback TEXT</c>: answers a run paused for human review.</summary>
internal static class ResumeCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<Guid>("ID") { Description = "The paused run" };
        var task = new Option<string>("--task") { Description = "The task awaiting review", HelpName = "TASK", Required = true };
        var approve = new Option<bool>("--approve") { Description = "Accept the task's output; the run goes on" };
        var retry = new Option<bool>("--retry") { Description = "Run the task again with the feedback" };
        var feedback = new Option<string?>("--feedback") { Description = "What the reviewer says (required with --retry)", HelpName = "TEXT" };
        var crew = RunClients.CrewOption();
        var command = new Command("resume", "Approve or retry a task awaiting human review") { id, task, approve, retry, feedback, crew };
        command.Validators.Add(result =>
        {
            var approved = result.GetValue(approve);
            var retried = result.GetValue(retry);
            if (approved == retried)
            {
                result.AddError("Give exactly one of --approve and --retry.");
            }
            else if (retried && string.IsNullOrWhiteSpace(result.GetValue(feedback)))
            {
                result.AddError("--retry needs --feedback TEXT: what should the task do differently?");
            }
        });
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var runId = parse.GetValue(id);
            var client = await RunClients.ForRunAsync(context, runId, parse.GetValue(crew), cancellationToken);
            var response = await client.ResumeAsync(
                new ResumeRequest
                {
                    ExecutionId = runId.ToString(),
                    TaskId = parse.GetRequiredValue(task),
                    IsApprove = parse.GetValue(approve),
                    HumanFeedback = parse.GetValue(feedback) ?? string.Empty,
                },
                cancellationToken);
            return context.Show(response, MusterJsonContext.Default.ResumeResponse, answer => context.Line($"{answer.Status}: {answer.Message}"));
        }));
        return command;
    }
}
