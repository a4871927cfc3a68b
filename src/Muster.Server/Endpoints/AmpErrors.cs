using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts.Amp;

namespace Muster.Server.Endpoints;

/// <summary>The AMP error bodies (<c>{error, message, details?}</c>) with their status codes.</summary>
internal static class AmpErrors
{
    public static JsonHttpResult<ErrorResponse> ExecutionNotFound(string id) =>
        Error(StatusCodes.Status404NotFound, "Execution not found", $"No execution found with ID: {Truncate(id)}");

    public static JsonHttpResult<ErrorResponse> CrewNotFound(string? crew) => crew is null
        ? Error(StatusCodes.Status404NotFound, "Crew not found", "Several crews are deployed and none is the default; use /crews/{name}/… (GET /api/crews lists them) or set Muster:DefaultCrew")
        : Error(StatusCodes.Status404NotFound, "Crew not found", $"No crew named '{Truncate(crew)}' is deployed here");

    public static JsonHttpResult<ErrorResponse> BadRequest(string message) =>
        Error(StatusCodes.Status400BadRequest, "Bad Request", message);

    public static JsonHttpResult<ErrorResponse> MissingInputs(IEnumerable<string> missing) => TypedResults.Json(
        new ErrorResponse
        {
            Error = "Validation Error",
            Message = "Missing required inputs",
            Details = new JsonObject { ["missing_inputs"] = new JsonArray([.. missing.Select(m => (JsonNode?)JsonValue.Create(m))]) },
        },
        statusCode: StatusCodes.Status422UnprocessableEntity);

    public static JsonHttpResult<ErrorResponse> InvalidFields(IEnumerable<(string Field, string Message)> problems)
    {
        var details = new JsonObject();
        foreach (var (field, message) in problems)
        {
            details[field] = message;
        }

        return TypedResults.Json(
            new ErrorResponse { Error = "Validation Error", Message = $"Invalid fields: {string.Join(", ", details.Select(d => d.Key))}", Details = details },
            statusCode: StatusCodes.Status422UnprocessableEntity);
    }

    public static JsonHttpResult<ErrorResponse> Error(int statusCode, string error, string message) =>
        TypedResults.Json(new ErrorResponse { Error = error, Message = message }, statusCode: statusCode);

    // Echoed identifiers come from the caller; keep the answer small whatever they sent.
    private static string Truncate(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
