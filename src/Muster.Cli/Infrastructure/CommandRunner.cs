using System.CommandLine;
using System.Data.Common;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using Muster.Client;

namespace Muster.Cli.Infrastructure;

/// <summary>
/// Runs a command's body and turns every failure into one readable line on stderr and an exit code: never a stack trace.
/// </summary>
internal static class CommandRunner
{
    public delegate Task<int> Body(CliContext context, ParseResult parse, CancellationToken cancellationToken);

    /// <summary>The action to give <see cref="Command.SetAction(Func{ParseResult, CancellationToken, Task{int}})"/>.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(GlobalOptions globals, Body body) =>
        async (parse, cancellationToken) =>
        {
            CliContext context;
            try
            {
                context = new CliContext(parse, globals);
            }
            catch (UsageException ex)
            {
                return FailUsage(parse, ex.Message);
            }

            using (context)
            {
                try
                {
                    return await body(context, parse, cancellationToken);
                }
                catch (MusterApiException ex)
                {
                    var hint = ex.StatusCode == HttpStatusCode.Unauthorized ? " (give a token with --token or MUSTER_TOKEN)" : string.Empty;
                    return Fail((int)ex.StatusCode is >= 400 and < 500 ? ExitCodes.Failed : ExitCodes.Unavailable,
                        $"{(int)ex.StatusCode} {ex.ServerMessage}{hint}");
                }
                catch (HttpRequestException ex)
                {
                    return Fail(ExitCodes.Unavailable, $"cannot reach {context.BaseUrl}: {ex.Message}");
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // HttpClient reports its own timeout as a cancellation nobody asked for.
                    return Fail(ExitCodes.Unavailable, $"{context.BaseUrl} did not answer in time");
                }
                catch (JsonException ex)
                {
                    return Fail(ExitCodes.Unavailable, $"{context.BaseUrl} answered something that is not Muster (or AMP) JSON: {ex.Message}");
                }
                catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
                {
                    return Fail(ExitCodes.Unavailable, $"the connection to {context.BaseUrl} broke: {ex.Message}");
                }
                catch (DbException ex)
                {
                    return Fail(ExitCodes.Unavailable, $"the store failed: {ex.Message}");
                }
                catch (Muster.Storage.StoreUnavailableException ex)
                {
                    // An operator reads this: the database's own words name the cause (a refused connection, a locked file).
                    return Fail(ExitCodes.Unavailable, $"the store failed: {ex.InnerException?.Message ?? ex.Message}");
                }
                catch (UsageException ex)
                {
                    return FailUsage(parse, ex.Message);
                }
                catch (Exception ex) when (ex is InvalidDataException or FormatException)
                {
                    // A malformed ./appsettings.json or configuration value, read for the store commands.
                    return FailUsage(parse, $"the configuration cannot be read: {ex.Message}");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The last line of defence of a command-line tool: one line, never a stack trace.
                    return Fail(ExitCodes.Unavailable, $"unexpected {ex.GetType().Name}: {ex.Message}");
                }
            }
        };

    /// <summary>A usage error: the message and where to read the usage, exit code 2.</summary>
    public static int FailUsage(ParseResult parse, string message)
    {
        Fail(ExitCodes.Usage, message);
        Console.Error.WriteLine($"Run '{MusterCommandLine.CommandPath(parse)} --help' for usage.");
        return ExitCodes.Usage;
    }

    public static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }
}
