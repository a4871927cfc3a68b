using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Muster.Bench;

/// <summary>
/// A webhook receiver that never answers: accepts connections on 127.0.0.1, reads what arrives and writes nothing, so
/// every request to it lasts until the sender gives up. Tracks how many connections it holds at once.
/// </summary>
internal sealed class SilentReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _open;
    private int _peak;
    private int _accepted;

    public SilentReceiver()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The most connections held open at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _accepting;
        _listener.Stop();
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            var open = Interlocked.Increment(ref _open);
            for (var peak = Peak; open > peak; peak = Peak)
            {
                Interlocked.CompareExchange(ref _peak, open, peak);
            }

            lock (_connections)
            {
                _connections.Add(HoldAsync(socket));
            }
        }
    }

    // Reads until the sender hangs up (its attempt timed out) or the bench stops; never answers.
    private async Task HoldAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[4096];
            try
            {
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // The bench is stopping, or the sender reset the connection: either way the connection is over.
            }
        }

        Interlocked.Decrement(ref _open);
    }
}

/// <summary>A webhook receiver that answers 200 at once and notes when each request arrived (on the bench's clock).</summary>
internal sealed class HealthyReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<TimeSpan> _arrivals = [];

    private HealthyReceiver(WebApplication app) => _app = app;

    public Uri Url => new(_app.Urls.First());

    /// <summary>When each request arrived, on the clock given at start.</summary>
    public IReadOnlyList<TimeSpan> Arrivals
    {
        get
        {
            lock (_arrivals)
            {
                return [.. _arrivals];
            }
        }
    }

    public static async Task<HealthyReceiver> StartAsync(Stopwatch clock)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new HealthyReceiver(app);
        app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            lock (receiver._arrivals)
            {
                receiver._arrivals.Add(clock.Elapsed);
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
