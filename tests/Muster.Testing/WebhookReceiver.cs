using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Muster.Testing;

/// <summary>One request the receiver got.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt, int AnsweredStatus)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real HTTP receiver on 127.0.0.1 for webhook tests: records every request (headers and body) and answers as
/// scripted: fail the next N requests, ask for a Retry-After, or be down (the port refuses connections) and come back
/// on the same port.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private WebApplication? _app;
    private int _failuresLeft;
    private int _failureStatus = 503;
    private string? _retryAfter;

    private WebhookReceiver(int port) => Port = port;

    public int Port { get; private set; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>A URL on this receiver; the path tells deliveries of different kinds apart.</summary>
    public string Url(string path = "hook") => new Uri(BaseUri, path).ToString();

    /// <summary>Every request so far, in arrival order, including those answered with a failure.</summary>
    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Requests answered 2xx, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Accepted => [.. _received.Where(r => r.AnsweredStatus is >= 200 and < 300)];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver(0);
        await receiver.StartListeningAsync();
        return receiver;
    }

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="status"/> (and Retry-After when given).</summary>
    public void FailNext(int count, int status = 503, string? retryAfter = null)
    {
        lock (_gate)
        {
            _failuresLeft = count;
            _failureStatus = status;
            _retryAfter = retryAfter;
        }
    }

    /// <summary>Stops listening: connections to the port are refused until <see cref="StartAsync()"/> brings it back.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public Task RestartAsync() => StartListeningAsync();

    /// <summary>
    /// Waits until at least <paramref name="count"/> requests were accepted (2xx) matching <paramref name="filter"/>;
    /// <paramref name="timeout"/> is only a ceiling against a hang (default: <see cref="Eventually.DefaultLimit"/>).
    /// </summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAcceptedAsync(int count, Func<ReceivedWebhook, bool>? filter = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Eventually.DefaultLimit);
        while (true)
        {
            var matching = Accepted.Where(filter ?? (_ => true)).ToList();
            if (matching.Count >= count)
            {
                return matching;
            }

            try
            {
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Expected {count} accepted webhooks, got {matching.Count}; all received: {Received.Count}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _arrived.Dispose();
    }

    private async Task StartListeningAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        int status;
        string? retryAfter;
        lock (_gate)
        {
            status = _failuresLeft > 0 ? _failureStatus : 200;
            retryAfter = _failuresLeft > 0 ? _retryAfter : null;
            _failuresLeft = Math.Max(0, _failuresLeft - 1);
        }

        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Enqueue(new ReceivedWebhook(context.Request.Path, headers, body, DateTimeOffset.UtcNow, status));
        _arrived.Release();
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
    }
}
