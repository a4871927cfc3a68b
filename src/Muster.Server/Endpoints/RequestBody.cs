using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts.Amp;

namespace Muster.Server.Endpoints;

/// <summary>
/// Reads a JSON object body by hand so that every way it can be wrong answers the AMP error body:
/// wrong content type → 415, too large → 413, not JSON or wrong field types → 400.
/// </summary>
internal static class RequestBody
{
    public static async Task<(T? Value, JsonHttpResult<ErrorResponse>? Error)> ReadJsonAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, AmpErrors.Error(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", "The request body must be JSON (Content-Type: application/json)."));
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, AmpErrors.BadRequest($"The request body is not valid JSON: {ex.Message}"));
        }
        catch (BadHttpRequestException ex)
        {
            return (null, Rejected(ex));
        }

        if (node is not JsonObject json)
        {
            return (null, AmpErrors.BadRequest("The request body must be a JSON object."));
        }

        try
        {
            return (json.Deserialize(typeInfo) ?? throw new JsonException("The request body is empty."), null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? $" at {path}" : string.Empty;
            return (null, AmpErrors.BadRequest($"A field of the request has the wrong type{field}."));
        }
    }

    /// <summary>The answer to a body Kestrel refused (too large, or cut short).</summary>
    public static JsonHttpResult<ErrorResponse> Rejected(BadHttpRequestException ex) => ex.StatusCode == StatusCodes.Status413PayloadTooLarge
        ? AmpErrors.Error(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", "The request body exceeds the limit (Muster:Limits:MaxRequestBodyBytes).")
        : AmpErrors.Error(ex.StatusCode, "Bad Request", "The request body could not be read.");
}
