using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Server.Amp;

namespace Muster.Server.Hosting;

/// <summary>
/// Reads a JSON object body by hand so that every way it can be wrong answers the AMP error body:
/// wrong content type → 415, too large → 413, not JSON, a duplicate property, a string that is not Unicode or wrong
/// field types → 400. Every POST body of the server is read here.
/// </summary>
internal static class RequestBody
{
    // A duplicate property is refused rather than resolved: clients disagree on which copy wins, and JsonObject throws on it.
    private static readonly JsonDocumentOptions Parsing = new() { AllowDuplicateProperties = false };

    public static async Task<(T? Value, JsonHttpResult<ErrorResponse>? Error)> ReadJsonAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, AmpErrors.Error(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", "The request body must be JSON (Content-Type: application/json)."));
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, Parsing, cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, AmpErrors.BadRequest($"The request body is not valid JSON: {ex.Message}"));
        }
        catch (InvalidOperationException)
        {
            // The duplicate-property check decodes every property name, and throws this on a name with a lone surrogate.
            return (null, NotUnicode(null));
        }
        catch (BadHttpRequestException ex)
        {
            return (null, Rejected(ex));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, AmpErrors.BadRequest("The request body must be a JSON object."));
            }

            if (FindUndecodableString(document.RootElement) is { } offset)
            {
                return (null, NotUnicode(offset));
            }

            try
            {
                return (document.RootElement.Deserialize(typeInfo) ?? throw new JsonException("The request body is empty."), null);
            }
            catch (CrewBudgetJsonException ex)
            {
                return (null, AmpErrors.BadRequest(ex.Reason));
            }
            catch (JsonException ex)
            {
                var field = ex.Path is { Length: > 2 } fieldPath ? $" at {fieldPath}" : string.Empty;
                return (null, AmpErrors.BadRequest($"A field of the request has the wrong type{field}."));
            }
        }
    }

    /// <summary>The answer to a body Kestrel refused (too large, or cut short).</summary>
    public static JsonHttpResult<ErrorResponse> Rejected(BadHttpRequestException ex) => ex.StatusCode == StatusCodes.Status413PayloadTooLarge
        ? AmpErrors.Error(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", "The request body exceeds the limit (Muster:Limits:MaxRequestBodyBytes).")
        : AmpErrors.Error(ex.StatusCode, "Bad Request", "The request body could not be read.");

    private static JsonHttpResult<ErrorResponse> NotUnicode(long? offset) => AmpErrors.BadRequest(
        "The request body has a string that is not valid Unicode (such as a lone surrogate escape, \\ud800)"
        + (offset is { } at ? $" at byte {at}." : "."));

    /// <summary>
    /// The byte offset of the first property name or string in <paramref name="root"/> that does not decode to valid UTF-16
    /// (JSON lets an escape name a lone surrogate, which the parser accepts and every later reader of the string throws on);
    /// null when there is none. Read the way deserialization reads, so what passes here deserializes.
    /// </summary>
    private static long? FindUndecodableString(JsonElement root)
    {
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(root));
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String)
            {
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    // System.Text.Json's answer to a lone surrogate escape, or to bytes that are not UTF-8.
                    return reader.TokenStartIndex;
                }
            }
        }

        return null;
    }
}
