using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Core.Telemetry;
using Muster.Llm;
using Muster.Server.Tokens;
using Muster.Server.Hosting;
using Muster.Server.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Traces and metrics through OpenTelemetry: <c>AddTelemetry()</c>, and <c>/metrics</c> with <c>MapMusterMetrics()</c>.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The policy of <c>/metrics</c> unless it is open: an organization token.</summary>
    internal const string MetricsPolicy = "metrics";

    /// <summary>
    /// What is traced (Muster's runs, LLM calls, HTTP in and out, Npgsql) and measured (Muster's meter, the GenAI client
    /// metrics, HTTP, the .NET runtime), and where it goes: OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or the traces' or
    /// metrics' own endpoint) is set, <c>/metrics</c> when <c>Muster:Telemetry:Prometheus:Enabled</c> is. With neither,
    /// no OpenTelemetry provider is built: no span is created and nothing is exported. <c>OTEL_SERVICE_NAME</c>,
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> and <c>OTEL_TRACES_SAMPLER</c> work as
    /// OpenTelemetry documents them.
    /// </summary>
    public static MusterBuilder AddTelemetry(this MusterBuilder muster)
    {
        ArgumentNullException.ThrowIfNull(muster);
        var services = muster.Services;
        services.AddOptionsWithValidateOnStart<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, policy => policy
            .AddAuthenticationSchemes(BearerTokenHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(BearerTokenHandler.KindClaim, "org"));

        // What is traced and measured, for whichever provider is built (here, or by a test with its own exporter).
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(MusterTelemetry.Name, LlmTelemetry.SourceName, NpgsqlSource)
            .AddAspNetCoreInstrumentation(http => http.Filter = context => !context.Request.Path.StartsWithSegments(MetricsPath))
            .AddHttpClientInstrumentation());
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter(MusterTelemetry.Name, LlmTelemetry.SourceName)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation());

        var export = TelemetryExport.From(muster.Configuration);
        if (export.Traces || export.Metrics)
        {
            var openTelemetry = services.AddOpenTelemetry();
            if (string.IsNullOrEmpty(muster.Configuration["OTEL_SERVICE_NAME"]))
            {
                openTelemetry.ConfigureResource(resource => resource.AddService("muster"));
            }

            if (export.Traces)
            {
                openTelemetry.WithTracing(tracing => tracing.AddOtlpExporter());
            }

            if (export.Metrics)
            {
                openTelemetry.WithMetrics(metrics =>
                {
                    if (export.OtlpMetrics)
                    {
                        metrics.AddOtlpExporter();
                    }

                    if (export.Prometheus)
                    {
                        metrics.AddPrometheusExporter();
                    }
                });
            }
        }

        if (export.Metrics)
        {
            services.AddHostedService<WaitingRunsGauge>();
        }

        return muster.Added(MusterFeatures.Telemetry);
    }

    /// <summary>
    /// <c>/metrics</c> in Prometheus text when <c>Muster:Telemetry:Prometheus:Enabled</c>: open with <c>Open=true</c>,
    /// otherwise to organization tokens. Maps nothing when it is not enabled.
    /// </summary>
    public static WebApplication MapMusterMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        MusterFeatures.Require(app, nameof(MapMusterMetrics), MusterFeatures.Muster, MusterFeatures.Telemetry);
        if (!TelemetryExport.From(app.Configuration).Prometheus)
        {
            return app;
        }

        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath);
        var open = app.Configuration.GetValue<bool>($"{TelemetryOptions.SectionName}:Prometheus:Open");
        if (open)
        {
            endpoint.AllowAnonymous();
        }
        else
        {
            endpoint.RequireAuthorization(MetricsPolicy);
        }

        return app;
    }

    private const string MetricsPath = "/metrics";

    // Npgsql's own activity source: its commands are spans when the store is PostgreSQL.
    private const string NpgsqlSource = "Npgsql";
}
