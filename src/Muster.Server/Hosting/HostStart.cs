namespace Muster.Server.Hosting;

internal static class HostStart
{
    /// <summary>
    /// Completes once the host has started: every start-up step ran and the server listens. Background work that claims
    /// shared things (runs, deliveries) waits for it, so a server that fails to start (its port taken) has claimed nothing.
    /// </summary>
    public static async Task WaitForStartAsync(this IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(cancellationToken);
    }
}
