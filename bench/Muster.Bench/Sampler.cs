namespace Muster.Bench;

/// <summary>Samples a server process's memory, threads and open files four times a second and keeps the peaks.</summary>
internal sealed class Sampler : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Sampler(ChildProcess process)
    {
        _process = process;
        _loop = LoopAsync();
    }

    public long PeakRss { get; private set; }

    public int PeakThreads { get; private set; }

    public int PeakOpenFiles { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            do
            {
                var (peak, _, threads) = _process.Memory();
                PeakRss = Math.Max(PeakRss, peak);
                PeakThreads = Math.Max(PeakThreads, threads);
                PeakOpenFiles = Math.Max(PeakOpenFiles, _process.OpenFiles());
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
