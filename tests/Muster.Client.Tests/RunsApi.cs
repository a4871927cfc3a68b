using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Muster.Client.Tests;

/// <summary>The fake server's crew-runs, events, deliveries, crews and tokens routes.</summary>
internal static class RunsApi
{
    public const int RunCount = 5;
    public const string RunningRunId = "run-running";

    public static void Map(WebApplication app, FakeAmpServer server)
    {
        app.MapGet("/api/crews", (HttpContext context) => FakeAmpServer.Json(context, 200,
            """[{"name":"research","description":"Writes reports","process":"sequential","inputs":["topic"],"agents":["Researcher"],"tasks":["research"]}]"""));
        app.MapPost("/api/crews/run", (HttpContext context) =>
        {
            var correlation = context.Request.Headers["x-correlation-id"].ToString();
            context.Response.Headers["x-correlation-id"] = correlation;
            return FakeAmpServer.Json(context, 202, $$"""{"id":"run-new","correlation_id":"{{correlation}}","status":"pending","message":"Crew run queued"}""");
        });
        app.MapPost("/api/crews/run/custom", (HttpContext context) => FakeAmpServer.Json(context, 422,
            """{"detail":[{"loc":"crew_config.agents","msg":"at least one agent is required"}]}"""));
        app.MapGet("/api/crew-runs", (HttpContext context) =>
        {
            var limit = int.Parse(context.Request.Query["limit"].FirstOrDefault() ?? "2", CultureInfo.InvariantCulture);
            var start = int.Parse(context.Request.Query["cursor"].FirstOrDefault() ?? "0", CultureInfo.InvariantCulture);
            var end = Math.Min(start + limit, RunCount);
            if (end < RunCount)
            {
                context.Response.Headers["X-Next-Cursor"] = end.ToString(CultureInfo.InvariantCulture);
            }

            return FakeAmpServer.Json(context, 200, "[" + string.Join(',', Enumerable.Range(start, end - start).Select(i => Record($"run-{i}"))) + "]");
        });
        app.MapGet("/api/crew-runs/{id}", (HttpContext context, string id) => FakeAmpServer.Json(context, 200, Record(id)));
        app.MapDelete("/api/crew-runs/{id}", (HttpContext context, string id) => id == RunningRunId
            ? FakeAmpServer.Json(context, 409, """{"error":"Conflict","message":"Run is still running; stop it first"}""")
            : Task.FromResult(context.Response.StatusCode = 204));
        app.MapGet("/api/crew-runs/{id}/deliveries", (HttpContext context, string id) => FakeAmpServer.Json(context, 200,
            """[{"id":"d1","url":"http://127.0.0.1:9/hook","kind":"crew","state":"delivered","created_at":"2026-01-01T00:00:00Z","attempts":[{"attempted_at":"2026-01-01T00:00:01Z","status_code":200}]}]"""));
        app.MapGet("/api/crew-runs/{id}/events", (HttpContext context, string id) => Events(context, server, id));
        app.MapPost("/api/tokens", (HttpContext context) => FakeAmpServer.Json(context, 201,
            """{"token":"mst_secret","info":{"id":"tok1","kind":"user","user_id":"ann","created_at":"2026-01-01T00:00:00Z"}}"""));
        app.MapGet("/api/tokens", (HttpContext context) => FakeAmpServer.Json(context, 200,
            """[{"id":"tok1","kind":"user","user_id":"ann","created_at":"2026-01-01T00:00:00Z"}]"""));
        app.MapDelete("/api/tokens/{id}", (HttpContext context, string id) => id == "tok1"
            ? Task.FromResult(context.Response.StatusCode = 204)
            : FakeAmpServer.Json(context, 404, """{"error":"Not found","message":"No token with that id"}"""));
    }

    public static string Event(string runId, long sequence) =>
        $$$"""{"sequence":{{{sequence}}},"execution_id":"{{{runId}}}","type":"{{{(sequence == 5 ? "crew_kickoff_completed" : "task_started")}}}","timestamp":"2026-01-01T00:00:0{{{sequence}}}Z","data":{"n":{{{sequence}}}}}""";

    private static string Record(string id) =>
        $$"""{"id":"{{id}}","correlation_id":"c-{{id}}","owner_id":"ann","status":"completed","created_at":"2026-01-01T00:00:00Z","result":"done"}""";

    /// <summary>Five events; the first SSE connection drops after the third so the client must reconnect with Last-Event-ID.</summary>
    private static async Task Events(HttpContext context, FakeAmpServer server, string id)
    {
        if (id == "unknown")
        {
            await FakeAmpServer.Json(context, 404, """{"error":"Execution not found","message":"No run unknown"}""");
            return;
        }

        if (!context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal))
        {
            var after = long.Parse(context.Request.Query["after"].FirstOrDefault() ?? "0", CultureInfo.InvariantCulture);
            await FakeAmpServer.Json(context, 200, "[" + string.Join(',', Enumerable.Range(1, 5).Where(s => s > after).Select(s => Event(id, s))) + "]");
            return;
        }

        var lastEventId = context.Request.Headers["Last-Event-ID"].FirstOrDefault();
        server.LastEventIds.Enqueue(lastEventId);
        var connection = Interlocked.Increment(ref server.StreamConnections);
        context.Response.ContentType = "text/event-stream";
        await context.Response.WriteAsync("retry: 10\n\n");
        for (var sequence = long.Parse(lastEventId ?? "0", CultureInfo.InvariantCulture) + 1; sequence <= 5; sequence++)
        {
            await context.Response.WriteAsync($"id: {sequence}\nevent: run_event\ndata: {Event(id, sequence)}\n\n");
            await context.Response.Body.FlushAsync();
            if (connection == 1 && sequence == 3)
            {
                // A half-written event, then the stream ends before the run did: the client must drop the fragment and
                // resume after 3. (Ending the response rather than aborting it guarantees events 1-3 reach the client first.)
                await context.Response.WriteAsync("id: 4\ndata: {\"sequence\":");
                return;
            }
        }
    }
}
