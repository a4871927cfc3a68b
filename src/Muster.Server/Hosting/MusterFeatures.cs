namespace Muster.Server.Hosting;

/// <summary>A feature added to the server, by the name of its <c>Add…</c> call.</summary>
internal sealed record MusterFeature(string AddCall);

/// <summary>
/// The features <c>Map…</c> calls need. Mapping endpoints whose services were never added would fail only on the first
/// request (or, worse, serve it with whatever defaults the container has): the map throws instead, naming the call to make.
/// </summary>
internal static class MusterFeatures
{
    public const string Muster = "AddMuster";
    public const string Webhooks = "AddWebhooks";
    public const string Mcp = "AddMcp";
    public const string CrewRuns = "AddCrewRuns";
    public const string ApiDocs = "AddApiDocs";
    public const string Console = "AddConsole";
    public const string Protocols = "AddProtocols";
    public const string Telemetry = "AddTelemetry";

    /// <summary>Throws unless every one of <paramref name="features"/> was added to the application <paramref name="app"/> maps into.</summary>
    public static void Require(IEndpointRouteBuilder app, string map, params string[] features)
    {
        ArgumentNullException.ThrowIfNull(app);
        var added = app.ServiceProvider.GetServices<MusterFeature>().Select(feature => feature.AddCall).ToHashSet(StringComparer.Ordinal);
        var missing = features.Where(feature => !added.Contains(feature)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var calls = string.Join(" and ", missing.Select(feature => feature + "()"));
        var chain = string.Concat(missing.Where(feature => feature != Muster).Select(feature => $".{feature}()"));
        throw new InvalidOperationException(
            $"{map}() needs {calls}: call builder.AddMuster(){chain} in the application's start-up code, before it maps the endpoints.");
    }
}
