using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Muster.Client.Tests;

/// <summary>
/// A small AMP/crew-runs server on loopback that behaves like the spec: runs answer "running" for a few polls, then
/// "completed" (or "error" when the inputs say <c>fail</c>); AMP errors as <c>{error, message}</c>; SSE with ids that drops
/// the first connection half-way. Only the documented fields are sent, to prove the client needs nothing more.
/// </summary>
internal sealed class FakeAmpServer : IAsyncDisposable
{
    public const string Token = "test-token";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<Guid, FakeRun> _runs = new();

    private FakeAmpServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>How many "running" answers a new run gives before it finishes (-1: never finishes).</summary>
    public int RunningPolls { get; set; } = 3;

    public ConcurrentQueue<string> Log { get; } = new();

    public ConcurrentQueue<string?> LastEventIds { get; } = new();

    public int StreamConnections;

    public FakeRun? Run(Guid id) => _runs.GetValueOrDefault(id);

    public IEnumerable<FakeRun> Runs => _runs.Values;

    public static async Task<FakeAmpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeAmpServer(app);
        app.Use(async (context, next) =>
        {
            server.Log.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (context.Request.Headers.Authorization != $"Bearer {Token}")
            {
                await Json(context, 401, """{"error":"Unauthorized","message":"Invalid or missing bearer token"}""");
                return;
            }

            await next(context);
        });
        server.MapAmp(app);
        server.MapAmp(app.MapGroup("/crews/{crew}"));
        RunsApi.Map(app, server);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal static async Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private void MapAmp(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/inputs", (HttpContext context) => Json(context, 200, """{"inputs":["topic"]}"""));
        routes.MapPost("/kickoff", async (HttpContext context) =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            var inputs = body["inputs"] as JsonObject;
            if (inputs?["topic"] is null)
            {
                await Json(context, 422, """{"error":"Validation error","message":"Missing required inputs: topic"}""");
                return;
            }

            var run = new FakeRun(Guid.NewGuid(), inputs, context.Request.Headers["Idempotency-Key"].ToString(), RunningPolls, inputs["fail"] is not null);
            _runs[run.Id] = run;
            await Json(context, 200, $$"""{"kickoff_id":"{{run.Id}}"}""");
        });
        routes.MapGet("/status/{id}", (HttpContext context, string id) =>
            Guid.TryParse(id, out var runId) && _runs.TryGetValue(runId, out var run)
                ? Json(context, 200, run.Poll())
                : Json(context, 404, $$"""{"error":"Execution not found","message":"No execution with id {{id}}"}"""));
        routes.MapPost("/stop/{id:guid}", (HttpContext context, Guid id) =>
            !_runs.TryGetValue(id, out var run) ? Json(context, 404, """{"error":"Execution not found","message":"unknown"}""")
            : run.Finished ? Json(context, 400, """{"detail":"Cannot stop execution. Current state: SUCCESS"}""")
            : Json(context, 200, $$"""{"status":"stopped","kickoffId":"{{run.Id}}"}"""));
        routes.MapPost("/resume", async (HttpContext context) =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            var approved = (bool?)body["is_approve"] == true;
            await Json(context, 200, $$"""{"status":"{{(approved ? "resumed" : "retrying")}}","message":"task {{(string?)body["task_id"]}}"}""");
        });
    }
}

/// <summary>A run of the fake server: answers "running" <c>runningPolls</c> times, then completes or fails.</summary>
internal sealed class FakeRun(Guid id, JsonObject inputs, string idempotencyKey, int runningPolls, bool fails)
{
    private int _polls;

    public Guid Id => id;

    public JsonObject Inputs => inputs;

    public string IdempotencyKey => idempotencyKey;

    public int Polls => Volatile.Read(ref _polls);

    public bool Finished => runningPolls >= 0 && Polls > runningPolls;

    public string Poll()
    {
        var poll = Interlocked.Increment(ref _polls);
        if (runningPolls < 0 || poll <= runningPolls)
        {
            return $$$"""{"status":"running","current_task":"research","progress":{"completed_tasks":{{{poll - 1}}},"total_tasks":{{{runningPolls + 1}}}}}""";
        }

        return fails
            ? """{"status":"error","error":"Agent failed: model unavailable","execution_time":1.5}"""
            : $$"""{"status":"completed","result":{"output":"Report on {{(string?)inputs["topic"]}}","tasks":[{"task_id":"research","output":"notes","agent":"Researcher","execution_time":0.7}]},"execution_time":2.25}""";
    }
}
