using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Muster.Server.Tokens;

namespace Muster.Server.Console;

/// <summary>
/// The console's server-sent events: rendered HTML for the page's script to put in place. A stream ends with its
/// session (at the session's end, or at once when its token is revoked on any node), with the run, with the client, or when
/// the server stops.
/// </summary>
internal static class LiveStreams
{
    public static async Task<IResult> RunAsync(ConsolePage page, Guid runId, RunFeed feed, IHostApplicationLifetime lifetime)
    {
        var context = page.Context;
        using var ending = Ending(page, lifetime);
        await StartAsync(context.Response, ending.Token);
        try
        {
            await foreach (var snapshot in feed.WatchAsync(runId, ending.Token))
            {
                await WriteAsync(context.Response, "run", writer => writer.WriteString("html", RunDetailsPage.Live(snapshot, feed.Now).Value), ending.Token);
            }

            await WriteAsync(context.Response, "end", _ => { }, ending.Token);
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // The viewer left, the session ended or the server is stopping: the stream simply ends.
        }

        return TypedResults.Empty;
    }

    public static async Task<IResult> RunsAsync(ConsolePage page, RunListFeed feed, IHostApplicationLifetime lifetime)
    {
        var context = page.Context;
        var principal = page.Principal;
        var filter = RunFilter.From(context.Request.Query, principal.IsOrganization);
        var since = long.TryParse(context.Request.Query["since"], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : long.MaxValue;
        using var ending = Ending(page, lifetime);
        await StartAsync(context.Response, ending.Token);
        try
        {
            await foreach (var batch in feed.WatchAsync(ending.Token))
            {
                // Oldest first, so that runs new to the page are put on top in the order they came.
                foreach (var run in batch.Where(run => principal.CanAccess(run) && filter.Matches(run)).OrderBy(run => run.CreatedAt))
                {
                    await WriteAsync(context.Response, "row", writer =>
                    {
                        writer.WriteString("id", $"run-{run.Id:N}");
                        writer.WriteString("html", RunsPage.Row(run).Value);
                        writer.WriteBoolean("new", run.CreatedAt.UtcTicks > since);
                    }, ending.Token);
                }
            }
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // As above.
        }

        return TypedResults.Empty;
    }

    private static CancellationTokenSource Ending(ConsolePage page, IHostApplicationLifetime lifetime)
    {
        var revoked = page.Context.RequestServices.GetRequiredService<TokenRevocations>().WhenRevoked(page.Principal.TokenId);
        var ending = CancellationTokenSource.CreateLinkedTokenSource(page.Context.RequestAborted, lifetime.ApplicationStopping, revoked);
        if (page.Session is { } session)
        {
            var left = session.Ends - DateTimeOffset.UtcNow;
            ending.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        return ending;
    }

    private static async Task StartAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);
    }

    /// <summary>One event whose data is a JSON object on one line (JSON escapes every newline in the HTML).</summary>
    private static async Task WriteAsync(HttpResponse response, string name, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(Encoding.UTF8.GetBytes($"event: {name}\ndata: "));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
