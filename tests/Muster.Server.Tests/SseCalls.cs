using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Muster.Server.Tests;

/// <summary>One server-sent event of a run's live stream.</summary>
internal sealed record SseEvent(long Id, string Type, JsonObject Data);

/// <summary>A run's live event stream (<c>/api/crew-runs/{id}/events</c> with <c>Accept: text/event-stream</c>), over real HTTP.</summary>
internal static class SseCalls
{
    public static async Task<HttpResponseMessage> OpenEventStreamAsync(this HttpClient client, Guid runId, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/crew-runs/{runId}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        return response;
    }

    /// <summary>Reads events until <paramref name="count"/> arrived or the stream ended.</summary>
    public static async Task<List<SseEvent>> ReadEventsAsync(this HttpResponseMessage response, int count = int.MaxValue)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<SseEvent>();
        var fields = new Dictionary<string, string>();
        while (events.Count < count && await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (fields.Count > 0)
                {
                    events.Add(new SseEvent(long.Parse(fields["id"]), fields["event"], JsonNode.Parse(fields["data"])!.AsObject()));
                    fields.Clear();
                }
            }
            else if (!line.StartsWith(':'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                fields[line[..colon]] = line[(colon + 1)..].TrimStart();
            }
        }

        return events;
    }
}
