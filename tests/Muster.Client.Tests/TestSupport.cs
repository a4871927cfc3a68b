namespace Muster.Client.Tests;

/// <summary>Starts a fresh fake server for each test and builds clients for it.</summary>
public abstract class ClientTestBase : IAsyncLifetime
{
    private readonly HttpClient _http = new();

    internal FakeAmpServer Server { get; private set; } = null!;

    internal MusterClient Client(string? token = FakeAmpServer.Token, string? crew = null) =>
        new(_http, new MusterClientOptions { BaseUrl = Server.BaseUrl, Token = token, Crew = crew, StreamReconnectDelay = TimeSpan.FromMilliseconds(10) });

    public async Task InitializeAsync() => Server = await FakeAmpServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Reports progress synchronously, so a test sees every report before the call returns.</summary>
internal sealed class ListProgress<T> : IProgress<T>
{
    public List<T> Reports { get; } = [];

    public void Report(T value) => Reports.Add(value);
}

/// <summary>Records every delay asked of it and fires at once: backoff is checked by the delays requested, not by a clock.</summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _delays = [];

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_lock)
            {
                return [.. _delays];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            _delays.Add(dueTime);
        }

        return System.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}
