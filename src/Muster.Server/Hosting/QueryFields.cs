using System.Globalization;
using Muster.Contracts.Runs;

namespace Muster.Server.Hosting;

/// <summary>
/// The query parameters of a route that checks them all before it answers (<c>GET /api/crew-runs</c>, <c>GET /api/usage</c>):
/// each given at most once and within a length, every problem collected as a <see cref="FieldError"/> for the route's 422.
/// </summary>
internal static class QueryFields
{
    /// <summary>The parameter's value; null when absent, or when it is repeated, empty or too long (an error then).</summary>
    public static string? Text(IQueryCollection query, string name, int maxLength, List<FieldError> errors)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }

        var value = values.ToString();
        if (values.Count != 1 || value.Length == 0 || value.Length > maxLength)
        {
            errors.Add(new FieldError($"query.{name}", $"Must be given once, 1 to {maxLength} characters"));
            return null;
        }

        return value;
    }

    /// <summary>The parameter as an ISO-8601 timestamp in UTC (one without an offset is UTC); null when absent or wrong (an error then).</summary>
    public static DateTimeOffset? Time(IQueryCollection query, string name, int maxLength, List<FieldError> errors)
    {
        if (Text(query, name, maxLength, errors) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            return value.ToUniversalTime();
        }

        errors.Add(new FieldError($"query.{name}", "Must be an ISO-8601 timestamp, e.g. 2026-01-31T12:00:00Z"));
        return null;
    }
}
