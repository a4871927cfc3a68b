using Microsoft.OpenApi;
using Muster.Server.Auth;

namespace Muster.Server.Hosting;

/// <summary>
/// The OpenAPI document of what Muster serves (<c>/openapi/v1.json</c>, generated from the endpoints' typed results, so
/// it names every field Muster sends) and <c>/docs</c>, a self-contained page that renders it (the machine may be offline:
/// no CDN). Both are served without a token: they describe the API, they give no access to it.
/// </summary>
internal static class ApiDocs
{
    /// <summary>Which routes are open, as the document, the page and docs/API.md say it (a test holds it to the endpoints).</summary>
    public const string OpenRoutes = "Every route but the health checks (/, /healthz, /readyz) and the API's description (/docs, /openapi/v1.json) needs";

    /// <summary>The OpenAPI document and the <c>/docs</c> page (<see cref="MapMusterApiDocs"/> serves them).</summary>
    public static MusterBuilder AddApiDocs(this MusterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Muster",
                Version = "v1",
                Description = $"A self-hosted CrewAI AMP-compatible crew server. {OpenRoutes} Authorization: Bearer <token>.",
            };
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
        }));
        return builder.Added(MusterFeatures.ApiDocs);
    }

    public static WebApplication MapMusterApiDocs(this WebApplication app)
    {
        MusterFeatures.Require(app, nameof(MapMusterApiDocs), MusterFeatures.ApiDocs);
        app.MapOpenApi().AllowAnonymous();
        app.MapGet("/docs", () => TypedResults.Content(Page, "text/html; charset=utf-8"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    private const string Page = $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Muster API</title>
        <style>
          body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
          .op{border:1px solid #ddd;border-radius:6px;margin:.6em 0;padding:.5em .8em}
          .m{display:inline-block;min-width:4.5em;font-weight:bold;text-transform:uppercase}
          .get{color:#0a6}.post{color:#06c}.delete{color:#c33}
          code,pre{background:#f6f6f6;border-radius:4px;padding:.1em .3em}
          pre{padding:.6em;overflow:auto;max-height:24em}
          summary{cursor:pointer}
        </style></head>
        <body>
        <h1>Muster API</h1>
        <p>Rendered from <a href="/openapi/v1.json">/openapi/v1.json</a>. {{OpenRoutes}} <code>Authorization: Bearer &lt;token&gt;</code>.</p>
        <div id="ops">Loading…</div>
        <h2>Schemas</h2><div id="schemas"></div>
        <script>
        const text = s => { const e = document.createElement('span'); e.textContent = s ?? ''; return e.innerHTML; };
        fetch('/openapi/v1.json').then(r => r.json()).then(doc => {
          const ops = [];
          for (const [path, item] of Object.entries(doc.paths ?? {}))
            for (const [method, op] of Object.entries(item))
              if (['get','post','put','delete','patch'].includes(method)) ops.push({path, method, op});
          document.getElementById('ops').innerHTML = ops.map(({path, method, op}) => {
            const responses = Object.entries(op.responses ?? {}).map(([code, r]) => {
              const schema = r.content?.['application/json']?.schema;
              const ref = schema?.$ref ? schema.$ref.split('/').pop() : (schema ? JSON.stringify(schema) : '');
              return `<li><code>${text(code)}</code> ${text(r.description)} ${ref ? '<code>' + text(ref) + '</code>' : ''}</li>`;
            }).join('');
            return `<div class="op"><details><summary><span class="m ${method}">${method}</span><code>${text(path)}</code> ${text(op.summary)}</summary>
              <p>${text(op.description)}</p><ul>${responses}</ul></details></div>`;
          }).join('');
          document.getElementById('schemas').innerHTML = Object.entries(doc.components?.schemas ?? {}).map(([name, s]) =>
            `<details class="op"><summary><code>${text(name)}</code></summary><pre>${text(JSON.stringify(s, null, 2))}</pre></details>`).join('');
        }).catch(e => { document.getElementById('ops').textContent = 'Could not load the OpenAPI document: ' + e; });
        </script>
        </body></html>
        """;
}
