using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Muster.Contracts.Runs;
using Muster.Server.Hosting;
using Muster.Storage;

namespace Muster.Server.Usage;

/// <summary>The query string of <c>GET /api/usage</c>, checked and turned into a <see cref="UsageQuery"/>.</summary>
internal static class UsageRequest
{
    /// <summary>The window when <c>from</c> is not given: this long before <c>to</c>.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    private const int MaxParameterLength = 100;

    public static (UsageQuery? Query, IReadOnlyList<FieldError> Errors) Parse(IQueryCollection query, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        var to = Time(query, "to", errors) ?? now;
        var from = Time(query, "from", errors) ?? to - DefaultWindow;
        var groupBy = GroupBy(query, errors);
        if (errors.Count == 0 && from >= to)
        {
            errors.Add(new FieldError("query.from", "Must be before to"));
        }

        return errors.Count == 0
            ? (new UsageQuery { From = from, To = to, GroupBy = groupBy }, errors)
            : (null, errors);
    }

    /// <summary>
    /// The query parameters in the OpenAPI document. They are read by <see cref="Parse"/> rather than bound, so that a
    /// parameter given twice is a 422 like every other mistake; the generator cannot see them.
    /// </summary>
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(Parameter("from", "The window's start, inclusive: an ISO-8601 timestamp (UTC when it has no offset). Default: 7 days before `to`.",
            new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" }));
        operation.Parameters.Add(Parameter("to", "The window's end, exclusive: an ISO-8601 timestamp (UTC when it has no offset), after `from`. Default: now.",
            new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" }));
        operation.Parameters.Add(Parameter("group_by", "What to group the calls by: the run's crew, the call's model (`provider/model`), the run's owner, or the call's UTC day.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. Enum.GetValues<UsageGrouping>().Select(g => (JsonNode)JsonValue.Create(Name(g)))],
                Default = JsonValue.Create(Name(UsageGrouping.Crew)),
            }));
        return Task.CompletedTask;
    }

    private static OpenApiParameter Parameter(string name, string description, OpenApiSchema schema) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Required = false,
        Description = description,
        Schema = schema,
    };

    public static string Name(UsageGrouping grouping) => grouping.ToString().ToLowerInvariant();

    private static UsageGrouping GroupBy(IQueryCollection query, List<FieldError> errors)
    {
        if (Text(query, "group_by", errors) is not { } text)
        {
            return UsageGrouping.Crew;
        }

        switch (text)
        {
            case "crew": return UsageGrouping.Crew;
            case "model": return UsageGrouping.Model;
            case "owner": return UsageGrouping.Owner;
            case "day": return UsageGrouping.Day;
            default:
                errors.Add(new FieldError("query.group_by", "Must be one of crew, model, owner, day"));
                return UsageGrouping.Crew;
        }
    }

    private static string? Text(IQueryCollection query, string name, List<FieldError> errors) =>
        QueryFields.Text(query, name, MaxParameterLength, errors);

    private static DateTimeOffset? Time(IQueryCollection query, string name, List<FieldError> errors) =>
        QueryFields.Time(query, name, MaxParameterLength, errors);
}
