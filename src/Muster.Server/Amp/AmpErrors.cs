using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts.Amp;
using Muster.Server.Crews;
using Muster.Server.Runs;
using Muster.Server.Tokens;

namespace Muster.Server.Amp;

/// <summary>The AMP error bodies (<c>{error, message, details?}</c>) with their status codes.</summary>
internal static class AmpErrors
{
    public static JsonHttpResult<ErrorResponse> ExecutionNotFound(string id) =>
        Error(StatusCodes.Status404NotFound, "Execution not found", $"No execution found with ID: {Truncate(id)}");

    /// <summary>
    /// The 404 for a crew <paramref name="principal"/> cannot use: why (it failed to load, it is unknown, or the root routes have
    /// no crew), and the crews the token may use. A crew outside the token's crews reads as unknown, whatever its state.
    /// </summary>
    /// <param name="requested">The <c>{crew}</c> route value; null at the root routes.</param>
    public static JsonHttpResult<ErrorResponse> CrewNotFound(CrewCatalog catalog, MusterPrincipal principal, string? requested)
    {
        var name = requested ?? catalog.DefaultCrewName;
        if (name is not null && principal.CoversCrew(name) && catalog.FailureOf(name) is { } failure)
        {
            return Error(StatusCodes.Status404NotFound, "Crew not found", $"The crew '{name}' failed to load when the server started and is not served: {failure}");
        }

        var why = requested is not null ? $"No crew named '{Truncate(requested)}' is deployed here."
            : catalog.Crews.Count == 0 ? "No crew is deployed here."
            : catalog.RootCrew is not null ? "This token may not use the crew that answers at the root routes; use the /crews/{name}/ routes."
            : catalog.DefaultCrewName is { } missing ? $"Muster:DefaultCrew names '{missing}', which is not deployed here; use the /crews/{{name}}/ routes."
            : "Several crews are deployed and none is the default; use the /crews/{name}/ routes or set Muster:DefaultCrew.";
        var usable = catalog.Crews.Select(c => c.Name).Where(principal.CoversCrew).Order(StringComparer.Ordinal).ToList();
        var failed = catalog.FailedCrews.Where(principal.CoversCrew).Order(StringComparer.Ordinal).ToList();
        var message = why + (usable.Count > 0 ? $" Crews this token may use: {string.Join(", ", usable)}."
            : catalog.Crews.Count > 0 ? " This token may use none of the deployed crews." : string.Empty);
        if (failed.Count > 0)
        {
            message += $" Failed to load: {string.Join(", ", failed)} (the server's log says why).";
        }

        return Error(StatusCodes.Status404NotFound, "Crew not found", message);
    }

    /// <summary>The 429 of a kickoff whose token reached a spending limit, with <c>Retry-After</c>: when the limit resets.</summary>
    public static JsonHttpResult<ErrorResponse> TokenLimitReached(HttpContext context, KickoffOutcome.TokenLimitReached reached)
    {
        context.Response.Headers.RetryAfter = reached.RetryAfterSeconds;
        return Error(StatusCodes.Status429TooManyRequests, "Token limit reached", reached.Message);
    }

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

    /// <summary>An identifier the caller sent, to echo in a message: kept small whatever they sent.</summary>
    public static string Truncate(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
