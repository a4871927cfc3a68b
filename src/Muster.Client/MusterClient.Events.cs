using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Muster.Contracts;
using Muster.Contracts.Runs;

namespace Muster.Client;

public sealed partial class MusterClient
{
    /// <summary>
    /// Streams a run's events live (SSE on <c>GET /api/crew-runs/{id}/events</c>), starting after sequence <paramref name="after"/>.
    /// A dropped connection is reopened with <c>Last-Event-ID</c>, so no event is lost or repeated. The stream ends after
    /// <c>crew_kickoff_completed</c> or <c>crew_kickoff_failed</c>; it throws <see cref="IOException"/> after
    /// <see cref="MusterClientOptions.StreamMaxReconnects"/> reconnects in a row without an event.
    /// </summary>
    public async IAsyncEnumerable<RunEventDto> StreamRunEventsAsync(
        string runId, long after = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var last = after;
        var reconnects = 0;
        var delay = _options.StreamReconnectDelay;
        while (true)
        {
            var reader = await OpenEventStreamAsync(runId, last, cancellationToken);
            if (reader is not null)
            {
                using (reader)
                {
                    while (await reader.ReadEventAsync(cancellationToken) is { } message)
                    {
                        delay = message.Retry ?? delay;
                        if (message.Data is null)
                        {
                            continue;
                        }

                        var runEvent = JsonSerializer.Deserialize(message.Data, MusterJsonContext.Default.RunEventDto)
                            ?? throw new JsonException("The event stream sent a null event.");
                        var sequence = message.Id ?? runEvent.Sequence;
                        if (sequence <= last)
                        {
                            continue;
                        }

                        last = sequence;
                        reconnects = 0;
                        yield return runEvent;
                        if (runEvent.Type is "crew_kickoff_completed" or "crew_kickoff_failed")
                        {
                            yield break;
                        }
                    }
                }
            }

            if (++reconnects > _options.StreamMaxReconnects)
            {
                throw new IOException($"The event stream of run {runId} dropped {reconnects} times in a row without a new event after sequence {last}.");
            }

            await Task.Delay(delay, cancellationToken);
        }
    }

    /// <summary>Opens the stream; null when the connection failed in a way worth retrying (network, 5xx).</summary>
    private async Task<SseReader?> OpenEventStreamAsync(string runId, long last, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, $"api/crew-runs/{Escape(runId)}/events");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (last > 0)
        {
            request.Headers.Add("Last-Event-ID", last.ToString(CultureInfo.InvariantCulture));
        }

        HttpResponseMessage response;
        try
        {
            response = await SendCheckedAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
        {
            // The server is unreachable for now (restarting, network blip): the caller retries after its delay.
            return null;
        }
        catch (MusterApiException ex) when ((int)ex.StatusCode >= 500 || ex.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // Transient server trouble: worth another try. 4xx (unknown run, bad token) is final and propagates.
            return null;
        }

        return new SseReader(response, await response.Content.ReadAsStreamAsync(cancellationToken));
    }
}
