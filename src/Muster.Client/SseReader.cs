using System.Globalization;
using System.Text;

namespace Muster.Client;

/// <summary>One dispatched server-sent event: its <c>id</c>, <c>data</c> and <c>retry</c> fields.</summary>
internal sealed record SseMessage(long? Id, string? Data, TimeSpan? Retry);

/// <summary>Reads server-sent events (text/event-stream) line by line; a dropped connection reads as the end.</summary>
internal sealed class SseReader(HttpResponseMessage response, Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next complete event, or null when the stream ended or dropped (a partial event is discarded, as SSE requires).</summary>
    public async Task<SseMessage?> ReadEventAsync(CancellationToken cancellationToken)
    {
        long? id = null;
        TimeSpan? retry = null;
        StringBuilder? data = null;
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(cancellationToken);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                // The connection dropped mid-stream; the caller reconnects with Last-Event-ID.
                return null;
            }

            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (data is not null || retry is not null)
                {
                    return new SseMessage(id, data?.ToString(), retry);
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "data":
                    data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value);
                    break;
                case "id" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
                    id = parsed;
                    break;
                case "retry" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                    retry = TimeSpan.FromMilliseconds(milliseconds);
                    break;
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        response.Dispose();
    }
}
