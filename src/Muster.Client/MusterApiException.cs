using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;

namespace Muster.Client;

/// <summary>
/// The server answered with an error status. Carries the status code, the raw body and, parsed from it, whichever error
/// shape the server used: the AMP <c>{error, message, details}</c>, the stop endpoint's <c>{detail}</c>, the crew-runs
/// 422 list <c>{detail: [{loc, msg}]}</c>, or an RFC 7807 ProblemDetails <c>{title, detail, errors}</c>.
/// </summary>
public sealed class MusterApiException : Exception
{
    private const int MaxEchoedBody = 500;

    /// <summary>Creates the exception from an error answer.</summary>
    public MusterApiException(HttpStatusCode statusCode, string rawBody)
        : this(statusCode, rawBody, Parse(rawBody))
    {
    }

    private MusterApiException(HttpStatusCode statusCode, string rawBody, JsonObject? body)
        : base($"The server answered {(int)statusCode} {statusCode}: {Describe(statusCode, rawBody, body)}")
    {
        StatusCode = statusCode;
        RawBody = rawBody;
        ServerMessage = Describe(statusCode, rawBody, body);
        Error = TryDeserialize(rawBody, body);
        Detail = Text(body?["detail"]);
        Title = Text(body?["title"]);
        FieldErrors = FieldErrorsOf(body);
    }

    /// <summary>The HTTP status code of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The AMP error body (<c>{error, message, details?}</c>), or null when the body has another shape.</summary>
    public ErrorResponse? Error { get; }

    /// <summary>A string <c>detail</c>: the stop endpoint's refusal, or a ProblemDetails detail.</summary>
    public string? Detail { get; }

    /// <summary>A ProblemDetails <c>title</c>.</summary>
    public string? Title { get; }

    /// <summary>
    /// Field errors, from the crew-runs 422 list (<c>detail: [{loc, msg}]</c>) or a validation ProblemDetails
    /// (<c>errors: {field: [messages]}</c>); empty for other shapes.
    /// </summary>
    public IReadOnlyList<FieldError> FieldErrors { get; }

    /// <summary>
    /// The server's own words in one line, whatever shape the body has, e.g.
    /// <c>Validation Error: Missing required inputs (topic)</c>; the reason phrase when the body says nothing.
    /// </summary>
    public string ServerMessage { get; }

    /// <summary>The answer's body as received.</summary>
    public string RawBody { get; }

    private static JsonObject? Parse(string rawBody)
    {
        try
        {
            return JsonNode.Parse(rawBody) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ErrorResponse? TryDeserialize(string rawBody, JsonObject? body)
    {
        if (body is null || Text(body["error"]) is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(rawBody, MusterJsonContext.Default.ErrorResponse);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Describe(HttpStatusCode statusCode, string rawBody, JsonObject? body)
    {
        if (body is null)
        {
            return string.IsNullOrWhiteSpace(rawBody) ? statusCode.ToString() : Truncate(OneLine(rawBody));
        }

        var headline = Text(body["error"]) ?? Text(body["title"]);
        var message = Text(body["message"]) ?? Text(body["detail"]);
        var extra = FieldList(body["detail"]) ?? FieldList(body["errors"]) ?? DetailsList(body["details"]);
        var text = (headline, message) switch
        {
            (not null, not null) => $"{headline}: {message}",
            (not null, null) => headline,
            (null, not null) => message,
            _ => null,
        };
        return (text, extra) switch
        {
            (not null, not null) => $"{text} ({extra})",
            (not null, null) => text,
            (null, not null) => extra,
            _ => Truncate(OneLine(rawBody)),
        };
    }

    /// <summary>The crew-runs list (<c>[{loc, msg}]</c>) or a ProblemDetails <c>errors</c> object, as <c>field: message; …</c>.</summary>
    private static string? FieldList(JsonNode? node)
    {
        var errors = ReadFieldErrors(node);
        return errors.Count == 0 ? null : string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}"));
    }

    /// <summary>AMP <c>details</c>: arrays become their items (<c>missing_inputs: [topic]</c> → <c>topic</c>), strings <c>key: value</c>.</summary>
    private static string? DetailsList(JsonNode? node)
    {
        if (node is not JsonObject details || details.Count == 0)
        {
            return null;
        }

        var parts = details.Select(pair => pair.Value switch
        {
            JsonArray items => string.Join(", ", items.Select(item => Text(item) ?? item?.ToJsonString())),
            JsonValue value when Text(value) is { } text => $"{pair.Key}: {text}",
            _ => $"{pair.Key}: {pair.Value?.ToJsonString()}",
        });
        return string.Join("; ", parts);
    }

    private static IReadOnlyList<FieldError> FieldErrorsOf(JsonObject? body) =>
        body is null ? [] : ReadFieldErrors(body["detail"]) is { Count: > 0 } list ? list : ReadFieldErrors(body["errors"]);

    private static IReadOnlyList<FieldError> ReadFieldErrors(JsonNode? node) => node switch
    {
        JsonArray items => [.. items.OfType<JsonObject>().Select(item => new FieldError(
            Text(item["loc"]) ?? item["loc"]?.ToJsonString() ?? string.Empty,
            Text(item["msg"]) ?? string.Empty))],
        JsonObject fields => [.. fields.SelectMany(pair => pair.Value is JsonArray messages
            ? messages.Select(m => new FieldError(pair.Key, Text(m) ?? string.Empty))
            : [new FieldError(pair.Key, Text(pair.Value) ?? pair.Value?.ToJsonString() ?? string.Empty)])],
        _ => [],
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    private static string Truncate(string text) => text.Length <= MaxEchoedBody ? text : text[..MaxEchoedBody] + "…";
}

/// <summary>A wait for an execution (<see cref="MusterClient.WaitForCompletionAsync"/>, <see cref="MusterClient.KickoffAndWaitAsync(KickoffRequest, KickoffAndWaitOptions?, IProgress{StatusResponse}?, CancellationToken)"/>) ran past its timeout.</summary>
public sealed class MusterTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for a run that was still running when the wait ended.</summary>
    public MusterTimeoutException(Guid kickoffId, TimeSpan timeout, StatusResponse? lastStatus)
        : base(kickoffId == Guid.Empty
            ? $"The kickoff did not answer within {timeout}."
            : $"Execution {kickoffId} was still {lastStatus?.Status ?? "running"} after {timeout}; it was not stopped.")
    {
        KickoffId = kickoffId;
        LastStatus = lastStatus;
    }

    /// <summary>The execution that was waited for (it keeps running on the server); <see cref="Guid.Empty"/> when the kickoff itself timed out.</summary>
    public Guid KickoffId { get; }

    /// <summary>The last status polled before the timeout, if any.</summary>
    public StatusResponse? LastStatus { get; }
}
