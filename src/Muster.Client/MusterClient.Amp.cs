using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Contracts.Amp;

namespace Muster.Client;

public sealed partial class MusterClient
{
    /// <summary>
    /// <c>GET /</c>: AMP's health check, answered without a token; true when the server says <c>Healthy</c>.
    /// Connection failures propagate as <see cref="HttpRequestException"/>.
    /// </summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Get, string.Empty);
        request.Headers.Accept.Clear();
        using var response = await _http.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode &&
            string.Equals((await response.Content.ReadAsStringAsync(cancellationToken)).Trim(), "Healthy", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><c>GET /inputs</c>: the names of the inputs the crew needs.</summary>
    public Task<InputsResponse> GetInputsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, _ampPrefix + "inputs"), MusterJsonContext.Default.InputsResponse, cancellationToken);

    /// <summary><c>POST /kickoff</c> with just inputs.</summary>
    public Task<KickoffResponse> KickoffAsync(JsonObject inputs, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        KickoffAsync(new KickoffRequest { Inputs = inputs }, idempotencyKey, cancellationToken);

    /// <summary><c>POST /kickoff</c>: starts an execution. An <paramref name="idempotencyKey"/> makes retries return the same execution.</summary>
    public Task<KickoffResponse> KickoffAsync(KickoffRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = WithBody(NewRequest(HttpMethod.Post, _ampPrefix + "kickoff"), request, MusterJsonContext.Default.KickoffRequest);
        if (!string.IsNullOrEmpty(idempotencyKey))
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return SendAsync(message, MusterJsonContext.Default.KickoffResponse, cancellationToken);
    }

    /// <summary><c>GET /status/{kickoff_id}</c>: <c>running</c>, <c>completed</c> (with result) or <c>error</c>.</summary>
    public Task<StatusResponse> GetStatusAsync(Guid kickoffId, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, $"{_ampPrefix}status/{kickoffId}"), MusterJsonContext.Default.StatusResponse, cancellationToken);

    /// <summary><c>POST /resume</c>: human feedback for a task awaiting review (approve, or retry with feedback).</summary>
    public Task<ResumeResponse> ResumeAsync(ResumeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(
            WithBody(NewRequest(HttpMethod.Post, _ampPrefix + "resume"), request, MusterJsonContext.Default.ResumeRequest),
            MusterJsonContext.Default.ResumeResponse,
            cancellationToken);
    }

    /// <summary><c>POST /stop/{kickoff_id}</c>: stops a running execution; a finished one gives a 400 <see cref="MusterApiException"/>.</summary>
    public Task<StopResponse> StopAsync(Guid kickoffId, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Post, $"{_ampPrefix}stop/{kickoffId}"), MusterJsonContext.Default.StopResponse, cancellationToken);
}
