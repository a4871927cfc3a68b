using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Muster.Contracts.Runs;
using Muster.Server.Runs;
using Muster.Server.Hosting;
using Muster.Storage;

namespace Muster.Server.CrewRuns;

/// <summary>The query string of <c>GET /api/crew-runs</c>, checked and turned into a <see cref="RunQuery"/>.</summary>
internal static class RunListRequest
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    private const int MaxFilterLength = 200;

    public static (RunQuery? Query, IReadOnlyList<FieldError> Errors) Parse(IQueryCollection query, bool organization)
    {
        var errors = new List<FieldError>();
        var result = new RunQuery
        {
            States = Text(query, "status", errors) is { } status ? States(status, errors) : null,
            CrewName = Text(query, "crew_type", errors),
            CorrelationId = Text(query, "correlation_id", errors),
            // A user token's owner is always itself (RunService.ListAsync); its owner_id is not an error, just moot.
            OwnerId = organization ? Text(query, "owner_id", errors) : null,
            CreatedAfter = Time(query, "created_after", errors),
            CreatedBefore = Time(query, "created_before", errors),
            Limit = Limit(query, errors),
            Cursor = Text(query, "cursor", errors),
        };
        return errors.Count == 0 ? (result, errors) : (null, errors);
    }

    /// <summary>The URL of the next page: this request's URL with the cursor replaced.</summary>
    public static string NextPageUrl(HttpRequest request, string cursor)
    {
        var parameters = request.Query
            .Where(p => p.Key != "cursor")
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new KeyValuePair<string, string?>("cursor", cursor));
        return QueryHelpers.AddQueryString($"{request.PathBase}{request.Path}", parameters);
    }

    private static RunState[]? States(string status, List<FieldError> errors)
    {
        var states = CrewRunRecordMapper.StatesFor(status);
        if (states is null)
        {
            errors.Add(new FieldError("query.status", "Must be one of pending, running, completed, failed, stopped (failed runs that a stop ended)"));
        }

        return states;
    }

    private static int Limit(IQueryCollection query, List<FieldError> errors)
    {
        if (Text(query, "limit", errors) is not { } text)
        {
            return DefaultLimit;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit)
        {
            return limit;
        }

        errors.Add(new FieldError("query.limit", $"Must be an integer from 1 to {MaxLimit}"));
        return DefaultLimit;
    }

    private static string? Text(IQueryCollection query, string name, List<FieldError> errors) =>
        QueryFields.Text(query, name, MaxFilterLength, errors);

    private static DateTimeOffset? Time(IQueryCollection query, string name, List<FieldError> errors) =>
        QueryFields.Time(query, name, MaxFilterLength, errors);
}
