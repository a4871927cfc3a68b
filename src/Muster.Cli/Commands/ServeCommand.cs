using System.CommandLine;
using Microsoft.Extensions.Options;

namespace Muster.Cli.Commands;

/// <summary>
/// <c>muster serve [server arguments…]</c>: runs the Muster server in this process with the same host, options and
/// arguments as <c>Muster.Server</c> (<c>--urls</c>, <c>--simulated-llm</c>, <c>--Muster:CrewsPath=…</c>, environment
/// variables, appsettings.json in the current folder).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the Muster server (same options and arguments as Muster.Server, e.g. --urls, --simulated-llm, --Muster:CrewsPath=DIR)")
        {
            // Every argument goes to the server's own configuration reader, as with `dotnet Muster.Server.dll …`.
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async parse =>
        {
            string[] args = [.. parse.UnmatchedTokens];
            try
            {
                // The server's own entry (src/Muster.Server/Program.cs), not a copy of it.
                var app = await global::Program.BuildAsync(args);
                // The host handles Ctrl-C and SIGTERM itself (a graceful stop with the scheduler's grace period).
                await app.RunAsync();
                return ExitCodes.Ok;
            }
            catch (OptionsValidationException ex)
            {
                return Infrastructure.CommandRunner.Fail(ExitCodes.Usage, $"invalid configuration: {string.Join("; ", ex.Failures)}");
            }
            catch (InvalidOperationException ex)
            {
                return Infrastructure.CommandRunner.Fail(ExitCodes.Usage, ex.Message);
            }
            catch (IOException ex)
            {
                return Infrastructure.CommandRunner.Fail(ExitCodes.Unavailable, ex.Message);
            }
        });
        return command;
    }
}
