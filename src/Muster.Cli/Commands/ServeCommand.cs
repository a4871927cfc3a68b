using System.CommandLine;
using Muster.Server.Hosting;

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

        // The server's own entry, not a copy of it: a failure to start is one line and exit code 1, as there; the host
        // handles Ctrl-C and SIGTERM itself (a graceful stop with the scheduler's grace period).
        command.SetAction(parse => MusterHost.RunAsync([.. parse.UnmatchedTokens], Console.Error));
        return command;
    }
}
