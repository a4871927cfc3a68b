using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Core.Crews;

namespace Muster.Cli.Commands;

/// <summary><c>muster crews validate PATH</c>: loads crews as the server would and prints every problem with its file and line.</summary>
internal static class CrewsValidateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var path = new Argument<string>("PATH") { Description = "A crew folder, or a folder of crews (as Muster:CrewsPath)" };
        var command = new Command("validate", "Check crews (agents.yaml, tasks.yaml, crew.yaml): every problem with file and line; exit 1 on errors") { path };
        command.SetAction(CommandRunner.Action(globals, (context, parse, _) =>
            Task.FromResult(Execute(context, parse.GetRequiredValue(path)))));
        return command;
    }

    private static int Execute(CliContext context, string path)
    {
        // The same loader and rules as the server's crew catalog, so what passes here loads there.
        var results = CrewLoader.LoadCatalog(path);
        var failed = results.Count(r => !r.Succeeded);
        if (context.Json)
        {
            context.WriteJson<IReadOnlyList<CrewValidationOutput>>([.. results.Select(ToOutput)], CliJsonContext.Default.IReadOnlyListCrewValidationOutput);
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }

        foreach (var result in results)
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                context.Line(diagnostic.ToString());
            }

            context.Line(result.Crew is { } crew
                ? $"ok: {crew.Name} ({result.Path}): {crew.Tasks.Count} tasks, inputs: {(crew.Inputs.Count == 0 ? "none" : string.Join(", ", crew.Inputs))}"
                : $"FAILED: {result.Path}: {result.Errors.Count()} error(s)");
        }

        context.Line($"{results.Count} crew(s) checked: {results.Count - failed} ok, {failed} with errors.");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static CrewValidationOutput ToOutput(CrewLoadResult result) => new(
        result.Path,
        result.Crew?.Name,
        result.Succeeded,
        [.. result.Diagnostics.Select(d => new DiagnosticOutput(
            d.Severity == CrewDiagnosticSeverity.Error ? "error" : "warning", d.File, d.Line, d.Column, d.Message))]);
}
