using System.Text;
using System.Text.Json.Nodes;

namespace Muster.Server.Protocols.AgUi;

/// <summary>Writes AG-UI events as server-sent events (<c>data: {json}</c>), as <c>@ag-ui/client</c>'s HttpAgent reads them.</summary>
internal sealed class AgUiEvents(HttpResponse response)
{
    private readonly HashSet<string> _openSteps = new(StringComparer.Ordinal);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);
    }

    public Task SendAsync(string type, JsonObject fields, CancellationToken cancellationToken)
    {
        fields["type"] = type;
        fields["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return WriteAsync(fields, cancellationToken);
    }

    public async Task StepStartedAsync(string step, CancellationToken cancellationToken)
    {
        if (_openSteps.Add(step))
        {
            await SendAsync("STEP_STARTED", new JsonObject { ["stepName"] = step }, cancellationToken);
        }
    }

    public async Task StepFinishedAsync(string step, CancellationToken cancellationToken)
    {
        await StepStartedAsync(step, cancellationToken);
        _openSteps.Remove(step);
        await SendAsync("STEP_FINISHED", new JsonObject { ["stepName"] = step }, cancellationToken);
    }

    /// <summary>Finishes the steps still open, so that a run's last event follows every step it began.</summary>
    public async Task CloseStepsAsync(CancellationToken cancellationToken)
    {
        foreach (var step in _openSteps.ToList())
        {
            await StepFinishedAsync(step, cancellationToken);
        }
    }

    public async Task TextMessageAsync(string messageId, string text, CancellationToken cancellationToken)
    {
        await SendAsync("TEXT_MESSAGE_START", new JsonObject { ["messageId"] = messageId, ["role"] = "assistant" }, cancellationToken);
        if (text.Length > 0)
        {
            await SendAsync("TEXT_MESSAGE_CONTENT", new JsonObject { ["messageId"] = messageId, ["delta"] = text }, cancellationToken);
        }

        await SendAsync("TEXT_MESSAGE_END", new JsonObject { ["messageId"] = messageId }, cancellationToken);
    }

    /// <summary>A refusal before any run exists: RUN_ERROR alone, with a code the client can act on.</summary>
    public async Task ErrorAsync(string code, string message, CancellationToken cancellationToken)
    {
        await CloseStepsAsync(cancellationToken);
        await SendAsync("RUN_ERROR", new JsonObject { ["message"] = message, ["code"] = code }, cancellationToken);
    }

    private async Task WriteAsync(JsonObject data, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {data.ToJsonString()}\n\n"), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
