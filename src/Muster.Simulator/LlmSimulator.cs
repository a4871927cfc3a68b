using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Muster.Simulator;

/// <summary>
/// A real OpenAI-compatible HTTP server on loopback (<c>POST /v1/chat/completions</c>, <c>GET /v1/models</c>)
/// with scripted or deterministic answers. Every default answer says plainly that it is simulated.
/// </summary>
public sealed class LlmSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorOptions _options;
    private readonly ConcurrentQueue<SimulatedReply> _script = new();
    private readonly List<SimulatedRequest> _requests = [];
    private readonly Lock _requestsLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _completionCount;
    private long _toolCallCount;
    private long _answerCount;
    private long _latencyTicks;

    private LlmSimulator(WebApplication app, SimulatorOptions options)
    {
        _app = app;
        _options = options;
        Latency = options.Latency;
        BaseUrl = new Uri("http://127.0.0.1/v1/");
    }

    /// <summary>The OpenAI base URL to give a client, e.g. <c>http://127.0.0.1:PORT/v1/</c>.</summary>
    public Uri BaseUrl { get; private set; }

    /// <summary>Delay applied before every answer; a request aborted meanwhile gets no answer.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>Custom answers, consulted when the script is empty; null or a null result gives the default answer.</summary>
    public Func<SimulatedRequest, SimulatedReply?>? Responder { get; set; }

    /// <summary>A snapshot of every chat request received (empty when <see cref="SimulatorOptions.RecordRequests"/> is off).</summary>
    public IReadOnlyList<SimulatedRequest> Requests
    {
        get
        {
            lock (_requestsLock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>How many chat completion requests were received (including those answered with errors).</summary>
    public long CompletionCount => Interlocked.Read(ref _completionCount);

    /// <summary>Starts the simulator and returns once it accepts connections.</summary>
    public static async Task<LlmSimulator> StartAsync(SimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorOptions();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (options.Host == "localhost")
            {
                kestrel.ListenLocalhost(options.Port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(options.Host), options.Port);
            }
        });

        var app = builder.Build();
        var simulator = new LlmSimulator(app, options);
        app.UseRouting();
        app.MapPost("/v1/chat/completions", (RequestDelegate)simulator.CompleteAsync);
        app.MapGet("/v1/models", (RequestDelegate)(context => ResponseWriter.WriteModelsAsync(context, options.Models)));
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        simulator.BaseUrl = new Uri(new Uri(address.Replace("[::1]", "localhost", StringComparison.Ordinal)), "/v1/");
        return simulator;
    }

    /// <summary>Queues scripted answers, used first-in first-out before <see cref="Responder"/> and the default answer.</summary>
    public void Enqueue(params SimulatedReply[] replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        foreach (var reply in replies)
        {
            _script.Enqueue(reply ?? throw new ArgumentException("A scripted reply cannot be null.", nameof(replies)));
        }
    }

    /// <summary>Stops the server; hanging requests are aborted.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task CompleteAsync(HttpContext context)
    {
        Interlocked.Increment(ref _completionCount);
        var (request, error) = await RequestParser.ParseAsync(context.Request.Body, context.RequestAborted);
        if (request is null)
        {
            await ResponseWriter.WriteErrorAsync(context, StatusCodes.Status400BadRequest, error!);
            return;
        }

        if (_options.RecordRequests)
        {
            lock (_requestsLock)
            {
                _requests.Add(request);
            }
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            var latency = Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, linked.Token);
            }

            var reply = _script.TryDequeue(out var scripted) ? scripted : Responder?.Invoke(request);
            await AnswerAsync(context, request, reply, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The client gave up or the simulator is stopping: there is nobody left to answer.
            context.Abort();
        }
    }

    private async Task AnswerAsync(HttpContext context, SimulatedRequest request, SimulatedReply? reply, CancellationToken cancellationToken)
    {
        switch (reply)
        {
            case DelayedReply delayed:
                await Task.Delay(delayed.Delay, cancellationToken);
                await AnswerAsync(context, request, delayed.Inner, cancellationToken);
                break;
            case SignalledReply signalled:
                await signalled.Signal.WaitAsync(cancellationToken);
                await AnswerAsync(context, request, signalled.Inner, cancellationToken);
                break;
            case HangReply:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case ErrorReply failure:
                await ResponseWriter.WriteErrorAsync(context, failure.StatusCode, failure.Message, failure.RetryAfter);
                break;
            case ToolCallsReply tools:
                var calls = new (string Id, string Name, string Arguments)[tools.Calls.Count];
                var words = 0;
                for (var i = 0; i < calls.Length; i++)
                {
                    var call = tools.Calls[i];
                    calls[i] = (call.Id ?? NewToolCallId(), call.Name, call.ArgumentsJson);
                    words += 1 + WordCount.Of(call.ArgumentsJson);
                }

                await ResponseWriter.WriteCompletionAsync(context, NewCompletionId(), Now(), request.Model, null, calls,
                    new Usage(WordCount.Of(request.Messages), words, 0));
                break;
            case TextReply text:
                await WriteTextAsync(context, request, text.Content, text.PromptTokens, text.CompletionTokens, text.CachedPromptTokens);
                break;
            default:
                await WriteTextAsync(context, request, DefaultAnswers.For(request), -1, -1, 0);
                break;
        }
    }

    private Task WriteTextAsync(HttpContext context, SimulatedRequest request, string content, int promptTokens, int completionTokens, int cached)
    {
        var usage = new Usage(
            promptTokens >= 0 ? promptTokens : WordCount.Of(request.Messages),
            completionTokens >= 0 ? completionTokens : WordCount.Of(content),
            cached);
        return ResponseWriter.WriteCompletionAsync(context, NewCompletionId(), Now(), request.Model, content, null, usage);
    }

    private string NewCompletionId() => "chatcmpl-sim" + Interlocked.Increment(ref _answerCount).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    private string NewToolCallId() => "call_sim" + Interlocked.Increment(ref _toolCallCount).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    private long Now() => _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
}
