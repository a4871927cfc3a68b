namespace Muster.Server.Hosting;

/// <summary>Runs the server as a process does: <c>Muster.Server</c> and <c>muster serve</c> alike.</summary>
public static class MusterHost
{
    /// <summary>The exit code of a server that could not start.</summary>
    public const int StartFailed = 1;

    /// <summary>
    /// Builds and starts the server, then serves until SIGTERM or Ctrl-C. A failure to start is one line on
    /// <paramref name="error"/> that names the fix, and exit code <see cref="StartFailed"/>: never a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        WebApplication? app = null;
        try
        {
            app = Program.Build(args);
            await app.StartAsync();
        }
        catch (Exception ex)
        {
            // Ctrl-C or SIGTERM while starting is a stop, not a failure.
            var stopped = ex is OperationCanceledException && app?.Lifetime.ApplicationStopping.IsCancellationRequested == true;
            if (!stopped)
            {
                await error.WriteLineAsync($"error: {StartupFailure.Describe(ex)}");
            }

            if (app is not null)
            {
                await app.DisposeAsync();
            }

            return stopped ? 0 : StartFailed;
        }

        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }
}
