namespace Muster.Cli;

/// <summary>The exit codes of <c>muster</c> (docs/CLI.md lists them for scripts).</summary>
internal static class ExitCodes
{
    /// <summary>Done; a waited-for run completed; a validated crew has no errors.</summary>
    public const int Ok = 0;

    /// <summary>A run failed, crews have errors, or the server refused the request (4xx: not found, invalid input, bad token).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>The server or the store could not be reached, answered 5xx or something unreadable, or something unexpected broke.</summary>
    public const int Unavailable = 3;

    /// <summary>Interrupted by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
