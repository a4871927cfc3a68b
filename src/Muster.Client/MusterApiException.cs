using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Contracts.Amp;

namespace Muster.Client;

/// <summary>The server answered with an error status. Carries the status code, the parsed AMP error body when there is one, and the raw body.</summary>
public sealed class MusterApiException : Exception
{
    /// <summary>Creates the exception from an error answer.</summary>
    public MusterApiException(HttpStatusCode statusCode, string rawBody)
        : base(Describe(statusCode, rawBody))
    {
        StatusCode = statusCode;
        RawBody = rawBody;
        Error = TryParseError(rawBody);
    }

    /// <summary>The HTTP status code of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The AMP error body (<c>{error, message, details?}</c>), or null when the body has another shape.</summary>
    public ErrorResponse? Error { get; }

    /// <summary>The answer's body as received.</summary>
    public string RawBody { get; }

    private static ErrorResponse? TryParseError(string rawBody)
    {
        try
        {
            return JsonSerializer.Deserialize(rawBody, MusterJsonContext.Default.ErrorResponse);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One readable line: the status and the server's own words (message, detail or error), whatever shape the body has.</summary>
    private static string Describe(HttpStatusCode statusCode, string rawBody)
    {
        var prefix = $"The server answered {(int)statusCode} {statusCode}";
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(rawBody);
        }
        catch (JsonException)
        {
            return string.IsNullOrWhiteSpace(rawBody) ? prefix + "." : $"{prefix}: {Truncate(rawBody)}";
        }

        if (body is not JsonObject json)
        {
            return $"{prefix}: {Truncate(rawBody)}";
        }

        var error = Text(json["error"]);
        var message = Text(json["message"]) ?? Text(json["detail"]) ?? DetailList(json["detail"]);
        return (error, message) switch
        {
            (not null, not null) => $"{prefix}: {error}: {message}",
            (not null, null) => $"{prefix}: {error}",
            (null, not null) => $"{prefix}: {message}",
            _ => $"{prefix}: {Truncate(rawBody)}",
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static string? DetailList(JsonNode? node) => node is JsonArray { Count: > 0 } items
        ? string.Join("; ", items.Select(item => $"{Text(item?["loc"]) ?? item?["loc"]?.ToJsonString()}: {Text(item?["msg"])}"))
        : null;

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";
}

/// <summary><see cref="MusterClient.KickoffAndWaitAsync(JsonObject, KickoffAndWaitOptions?, IProgress{StatusResponse}?, CancellationToken)"/> ran past its timeout.</summary>
public sealed class MusterTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for a run that was still running when the wait ended.</summary>
    public MusterTimeoutException(Guid kickoffId, TimeSpan timeout, StatusResponse? lastStatus)
        : base($"Execution {kickoffId} was still {lastStatus?.Status ?? "running"} after {timeout}; it was not stopped.")
    {
        KickoffId = kickoffId;
        LastStatus = lastStatus;
    }

    /// <summary>The execution that was waited for; it keeps running on the server.</summary>
    public Guid KickoffId { get; }

    /// <summary>The last status polled before the timeout, if any.</summary>
    public StatusResponse? LastStatus { get; }
}
