using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using Muster.Contracts;
using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;

namespace Muster.Client;

public sealed partial class MusterClient
{
    /// <summary><c>GET /api/crews</c>: the deployed crews.</summary>
    public Task<IReadOnlyList<CrewInfo>> ListCrewsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, "api/crews"), MusterJsonContext.Default.IReadOnlyListCrewInfo, cancellationToken);

    /// <summary><c>POST /api/crews/run</c>: runs a deployed crew; <paramref name="correlationId"/> goes in <c>x-correlation-id</c>.</summary>
    public Task<RunCreatedResponse> RunCrewAsync(RunCrewRequest request, string? correlationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = WithBody(NewRequest(HttpMethod.Post, "api/crews/run"), request, MusterJsonContext.Default.RunCrewRequest);
        AddCorrelationId(message, correlationId);
        return SendAsync(message, MusterJsonContext.Default.RunCreatedResponse, cancellationToken);
    }

    /// <summary><c>POST /api/crews/run/custom</c>: runs an ad-hoc crew; invalid configs give a 422 <see cref="MusterApiException"/>.</summary>
    public Task<RunCreatedResponse> RunCustomCrewAsync(RunCustomCrewRequest request, string? correlationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = WithBody(NewRequest(HttpMethod.Post, "api/crews/run/custom"), request, MusterJsonContext.Default.RunCustomCrewRequest);
        AddCorrelationId(message, correlationId);
        return SendAsync(message, MusterJsonContext.Default.RunCreatedResponse, cancellationToken);
    }

    /// <summary><c>GET /api/crew-runs</c>: one page of history; pass <see cref="RunListPage.NextCursor"/> back as <see cref="RunListQuery.Cursor"/>.</summary>
    public async Task<RunListPage> ListRunsAsync(RunListQuery? query = null, CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Get, "api/crew-runs" + QueryString(query ?? new RunListQuery()));
        using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var runs = await response.Content.ReadFromJsonAsync(MusterJsonContext.Default.IReadOnlyListCrewRunRecord, cancellationToken) ?? [];
        var next = response.Headers.TryGetValues("X-Next-Cursor", out var values) ? values.FirstOrDefault() : null;
        return new RunListPage(runs, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>
    /// Every run matching <paramref name="query"/>, newest first, following <see cref="RunListPage.NextCursor"/> page by page
    /// (<see cref="RunListQuery.Limit"/> is the page size); stop enumerating to stop fetching.
    /// </summary>
    public async IAsyncEnumerable<CrewRunRecord> ListAllRunsAsync(
        RunListQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = query ?? new RunListQuery();
        while (true)
        {
            var result = await ListRunsAsync(page, cancellationToken);
            foreach (var run in result.Runs)
            {
                yield return run;
            }

            if (result.NextCursor is null || result.Runs.Count == 0)
            {
                yield break;
            }

            page = page with { Cursor = result.NextCursor };
        }
    }

    /// <summary><c>GET /api/crew-runs/{id}</c>: one run with its tasks and usage.</summary>
    public Task<CrewRunRecord> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, $"api/crew-runs/{Escape(runId)}"), MusterJsonContext.Default.CrewRunRecord, cancellationToken);

    /// <summary><c>DELETE /api/crew-runs/{id}</c>: deletes a finished run (a running one gives 409).</summary>
    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Delete, $"api/crew-runs/{Escape(runId)}"), cancellationToken);

    /// <summary><c>GET /api/crew-runs/{id}/files</c>: the files the run's tasks wrote (<c>output_file</c>), with their paths in the run's folder.</summary>
    public Task<IReadOnlyList<RunFileRecord>> ListRunFilesAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, $"api/crew-runs/{Escape(runId)}/files"), MusterJsonContext.Default.IReadOnlyListRunFileRecord, cancellationToken);

    /// <summary><c>GET /api/crew-runs/{id}/files/{path}</c>: the contents of one of the run's files (<paramref name="path"/> as listed).</summary>
    public async Task<byte[]> DownloadRunFileAsync(string runId, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var segments = string.Join('/', path.Split('/').Select(Escape));
        using var request = NewRequest(HttpMethod.Get, $"api/crew-runs/{Escape(runId)}/files/{segments}");
        using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary><c>GET /api/crew-runs/{id}/events?after=N</c>: the events so far, in order.</summary>
    public Task<IReadOnlyList<RunEventDto>> GetRunEventsAsync(string runId, long after = 0, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(HttpMethod.Get, $"api/crew-runs/{Escape(runId)}/events" + (after > 0 ? $"?after={after.ToString(CultureInfo.InvariantCulture)}" : string.Empty)),
            MusterJsonContext.Default.IReadOnlyListRunEventDto,
            cancellationToken);

    /// <summary><c>GET /api/crew-runs/{id}/deliveries</c>: webhook deliveries and their attempts.</summary>
    public Task<IReadOnlyList<DeliveryDto>> GetDeliveriesAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, $"api/crew-runs/{Escape(runId)}/deliveries"), MusterJsonContext.Default.IReadOnlyListDeliveryDto, cancellationToken);

    /// <summary><c>POST /api/tokens</c>: creates a token; the secret is in the answer only.</summary>
    public Task<CreatedTokenResponse> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(
            WithBody(NewRequest(HttpMethod.Post, "api/tokens"), request, MusterJsonContext.Default.CreateTokenRequest),
            MusterJsonContext.Default.CreatedTokenResponse,
            cancellationToken);
    }

    /// <summary><c>GET /api/tokens</c>: every token, never a secret.</summary>
    public Task<IReadOnlyList<TokenInfo>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, "api/tokens"), MusterJsonContext.Default.IReadOnlyListTokenInfo, cancellationToken);

    /// <summary><c>DELETE /api/tokens/{id}</c>: revokes a token (unknown → 404).</summary>
    public Task RevokeTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Delete, $"api/tokens/{Escape(tokenId)}"), cancellationToken);

    private static void AddCorrelationId(HttpRequestMessage message, string? correlationId)
    {
        if (!string.IsNullOrEmpty(correlationId))
        {
            message.Headers.Add("x-correlation-id", correlationId);
        }
    }

    /// <summary>
    /// <c>GET /api/usage</c>: tokens, LLM calls and cost per crew, model, owner or day over the runs this token may see; a bad
    /// query gives a 422 <see cref="MusterApiException"/>.
    /// </summary>
    public Task<UsageReport> GetUsageAsync(UsageReportQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new UsageReportQuery();
        var builder = new StringBuilder();
        Append(builder, "from", query.From?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Append(builder, "to", query.To?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Append(builder, "group_by", query.GroupBy);
        return SendAsync(NewRequest(HttpMethod.Get, "api/usage" + builder), MusterJsonContext.Default.UsageReport, cancellationToken);
    }

    private static string QueryString(RunListQuery query)
    {
        var builder = new StringBuilder();
        Append(builder, "status", query.Status);
        Append(builder, "crew_type", query.CrewType);
        Append(builder, "correlation_id", query.CorrelationId);
        Append(builder, "created_after", query.CreatedAfter?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Append(builder, "created_before", query.CreatedBefore?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Append(builder, "owner_id", query.OwnerId);
        Append(builder, "limit", query.Limit?.ToString(CultureInfo.InvariantCulture));
        Append(builder, "cursor", query.Cursor);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string name, string? value)
    {
        if (value is not null)
        {
            builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }
}
