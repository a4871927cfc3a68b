using System.CommandLine;
using System.Globalization;
using Muster.Cli.Infrastructure;
using Muster.Client;
using Muster.Contracts;
using Muster.Contracts.Runs;
using Spectre.Console;

namespace Muster.Cli.Commands;

/// <summary><c>muster usage [--from T] [--to T] [--group-by crew|model|owner|day]</c>: tokens, calls and cost per group, as a table.</summary>
internal static class UsageCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var from = Timestamp("--from", "The window's start, an ISO-8601 timestamp (default: 7 days before --to)");
        var to = Timestamp("--to", "The window's end, an ISO-8601 timestamp (default: now)");
        var groupBy = new Option<string>("--group-by") { Description = "What to total by", HelpName = "GROUP", DefaultValueFactory = _ => "crew" };
        groupBy.AcceptOnlyFromAmong("crew", "model", "owner", "day");
        var command = new Command("usage", "Tokens, LLM calls and cost per crew, model, owner or day (your own runs with a user token)") { from, to, groupBy };
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var query = new UsageReportQuery { From = Parse(parse.GetValue(from)), To = Parse(parse.GetValue(to)), GroupBy = parse.GetValue(groupBy) };
            var report = await context.Client().GetUsageAsync(query, cancellationToken);
            return context.Show(report, MusterJsonContext.Default.UsageReport, answer =>
            {
                var table = Tables.Create(answer.GroupBy.ToUpperInvariant(), "CALLS", "PROMPT", "COMPLETION", "TOTAL", "COST");
                foreach (var group in answer.Groups)
                {
                    table.AddRow(Tables.Cells(
                        group.Key, Display.Count(group.LlmCalls), Display.Count(group.PromptTokens), Display.Count(group.CompletionTokens),
                        Display.Count(group.TotalTokens), group.CostUsd is { } cost ? DisplayText.Usd(cost) : "unknown"));
                }

                context.Out.Write(table);
                context.Line($"{answer.From.ToString("O", CultureInfo.InvariantCulture)} to {answer.To.ToString("O", CultureInfo.InvariantCulture)}");
            });
        }));
        return command;
    }

    private static Option<string?> Timestamp(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "TIME" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && Parse(text) is null)
            {
                result.AddError($"{name} must be an ISO-8601 timestamp, e.g. 2026-01-31T12:00:00Z.");
            }
        });
        return option;
    }

    private static DateTimeOffset? Parse(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}
