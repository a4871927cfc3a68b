using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Muster.Server.Tokens;
using Scalar.AspNetCore;

namespace Muster.Server.Hosting;

/// <summary>
/// The OpenAPI document of what Muster serves (<c>/openapi/v1.json</c>, generated from the endpoints' typed results, so
/// it names every field Muster sends) and <c>/docs</c>, the Scalar reference that renders it and sends requests (its script is served by the
/// server: the machine may be offline). Both are served without a token: they describe the API, they give no access to it.
/// </summary>
internal static class ApiDocs
{
    /// <summary>Which routes are open, as the document, the page and docs/API.md say it (a test holds it to the endpoints).</summary>
    public const string OpenRoutes = "Every route but the health checks (/, /healthz, /readyz) and the API's description (/docs, /openapi/v1.json) needs";

    /// <summary>The OpenAPI document and the <c>/docs</c> page (<see cref="MapMusterApiDocs"/> serves them).</summary>
    public static MusterBuilder AddApiDocs(this MusterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureHttpJsonOptions(json => ApiDocWebhooks.AddContracts(json.SerializerOptions));
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer(DescribeAsync)
            .AddDocumentTransformer(ApiDocWebhooks.DescribeAsync)
            .AddSchemaTransformer(ApiDocSchemas.DescribeAsync)
            .AddOperationTransformer(ApiDocSchemas.DescribeRetryAfterAsync)
            .AddOperationTransformer(ApiDocSchemas.DescribePathParametersAsync));
        return builder.Added(MusterFeatures.ApiDocs);
    }

    private static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Muster",
            Version = "v1",
            Description = $"A self-hosted CrewAI AMP-compatible crew server. {OpenRoutes} Authorization: Bearer <token>.",
        };
        // The server's own address, as the request named it; "/" at its end would double the slash of every path.
        foreach (var server in document.Servers ?? [])
        {
            if (server.Url is { Length: > 1 } url && url.EndsWith('/'))
            {
                server.Url = url[..^1];
            }
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerTokenHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "opaque",
            Description = "An organization or user token (mst_…).",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerTokenHandler.SchemeName, document)] = [] });
        return Task.CompletedTask;
    }

    public static WebApplication MapMusterApiDocs(this WebApplication app)
    {
        MusterFeatures.Require(app, nameof(MapMusterApiDocs), MusterFeatures.ApiDocs);
        app.MapOpenApi().AllowAnonymous();
        // Scalar's script is embedded in its assembly and served from /docs: nothing is fetched from elsewhere.
        app.MapScalarApiReference("/docs", options => options
                .WithTitle("Muster API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddPreferredSecuritySchemes(BearerTokenHandler.SchemeName)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .AddHeaderContent(Header))
            .AllowAnonymous();
        return app;
    }

    private const string Header =
        $"<p style=\"margin:.5em 1em;font-family:system-ui,sans-serif\">Rendered from <a href=\"/openapi/v1.json\">/openapi/v1.json</a>. {OpenRoutes} <code>Authorization: Bearer &lt;token&gt;</code>. Sign in to the web console at <a href=\"/ui\">/ui</a>.</p>";
}
