using System.Text.RegularExpressions;

namespace Muster.Server.CrewRuns;

/// <summary>
/// The <c>x-correlation-id</c> header: a caller's id for a run, taken at creation (generated when absent)
/// and echoed on every response of the crew-runs routes, so logs on both sides can be joined.
/// </summary>
internal static partial class CorrelationIds
{
    public const string Header = "x-correlation-id";
    private const string ItemKey = "Muster.CorrelationId";

    /// <summary>The request's correlation id, a new one when it sent none, or null when what it sent is unusable.</summary>
    public static string? FromRequest(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is string id)
        {
            return id;
        }

        var sent = context.Request.Headers[Header].ToString();
        if (sent.Length == 0)
        {
            id = Guid.NewGuid().ToString("N");
        }
        else if (Pattern().IsMatch(sent))
        {
            id = sent;
        }
        else
        {
            return null;
        }

        context.Items[ItemKey] = id;
        return id;
    }

    public const string Rule = "Must be 1 to 128 visible ASCII characters";

    /// <summary>Echoes the correlation id (sent or generated) on the response, including error responses.</summary>
    public static TBuilder WithCorrelationId<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            http.Response.OnStarting(() =>
            {
                if (FromRequest(http) is { } correlationId)
                {
                    http.Response.Headers[Header] = correlationId;
                }

                return Task.CompletedTask;
            });
            return await next(context);
        });

    [GeneratedRegex(@"^[\x21-\x7E]{1,128}$")]
    private static partial Regex Pattern();
}
